"""One request per documented (operation, status), built from the document itself: the
statuses shared by many routes (auth, scope, body limit, Idempotency-Key, path checks)
by rule, each operation's own answers from a table. 503 is provoked elsewhere (it needs
a database that is down: tests/integration/gateway_outage)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from services.gateway.webhooks.signature import sign
from tests.integration.gateway.openapi_check import Operation
from tests.integration.gateway.openapi_world import World
from tests.support.environment import WEBHOOK_VERIFIER

PUSH = "/v1/tenants/{tenant_id}/push-batches"
BATCH = PUSH + "/{batch_id}"
CONNECTION = "/v1/tenants/{tenant_id}/quickbooks-connection"
RUN = "/v1/tenants/{tenant_id}/reconciliations/{run_id}"
WEBHOOK = "/v1/webhooks/quickbooks"
HUGE = b'{"x": "' + b"x" * 2_100_000 + b'"}'

# The body each operation succeeds with, and (if it asks for one) its unconfirmed twin.
VALID: dict[Operation, Any] = {
    ("post", PUSH): {"invoice_ids": ["o-3"], "confirm_overwrite": True},
    ("post", BATCH + "/retry-failed"): {"confirm_overwrite": True},
    ("post", "/v1/tenants/{tenant_id}/invoices/retry"): {
        "invoice_ids": ["o-2"],
        "confirm_overwrite": True,
    },
    ("put", CONNECTION): {"realm_id": "9130357766354011", "refresh_token": "rt-openapi"},
    ("post", "/v1/tenants/{tenant_id}/tokens"): {"role": "read"},
    ("post", "/v1/tenants/{tenant_id}/reconciliations"): {},
    ("post", RUN + "/repair"): {"categories": ["missing_in_quickbooks"], "confirm_overwrite": True},
    ("put", "/v1/tenants/{tenant_id}/reconciliation-settings"): {"nightly": False},
}
# The weakest credential each operation refuses with 403 (GETs of a tenant need only the
# read role, which every credential in scope has, so they document no 403).
FORBIDDEN_WITH = {
    ("post", PUSH): "read",
    ("post", BATCH + "/retry-failed"): "read",
    ("post", BATCH + "/page-token"): "page",
    ("post", "/v1/tenants/{tenant_id}/invoices/retry"): "read",
    ("put", CONNECTION): "push",
    ("delete", CONNECTION): "push",
    ("post", "/v1/tenants/{tenant_id}/tokens"): "admin",
    ("delete", "/v1/tenants/{tenant_id}/tokens/{token_id}"): "push",
    ("post", "/v1/tenants/{tenant_id}/reconciliations"): "read",
    ("post", RUN + "/repair"): "read",
    ("put", "/v1/tenants/{tenant_id}/reconciliation-settings"): "push",
    ("get", "/v1/ops/overview"): "admin",
    ("get", "/v1/ops/events"): "admin",
    ("post", "/v1/ops/page-token"): "admin",
}
SUCCESS = {"get": 200, "put": 202, "delete": 202, "post": 202}
SUCCESS_OVERRIDES = {
    ("post", BATCH + "/page-token"): 201,
    ("post", "/v1/tenants/{tenant_id}/tokens"): 201,
    ("delete", "/v1/tenants/{tenant_id}/tokens/{token_id}"): 204,
    ("post", WEBHOOK): 200,
    ("put", "/v1/tenants/{tenant_id}/reconciliation-settings"): 200,
    ("post", "/v1/ops/page-token"): 201,
}


@dataclass
class Case:
    op: Operation
    status: int
    token: str | None = "operator"
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # instead of the template filled from the world
    reserve: str | None = None  # "same" or "other": an Idempotency-Key already taken
    stream: bool = False

    def url(self, world: World) -> str:
        if self.path is not None:
            return self.path
        return self.op[1].format(
            tenant_id=world.tenant, batch_id=world.batch, invoice_id="o-1",
            token_id=world.token_id, run_id=world.run,
        )  # fmt: skip

    def payload(self) -> bytes | None:
        if self.content is not None:
            return self.content
        return None if self.body is None else json.dumps(self.body).encode()


def _webhook_cases() -> list[Case]:
    entity = {"name": "Invoice", "id": "130", "operation": "Update",
              "lastUpdated": "2026-11-20T10:00:00.000Z"}  # fmt: skip
    body = json.dumps({"eventNotifications": [{"realmId": "4620816365000000001",
                       "dataChangeEvent": {"entities": [entity]}}]}).encode()  # fmt: skip
    signed = {"intuit-signature": sign(WEBHOOK_VERIFIER, body)}
    # A realm id PostgreSQL cannot store as text (NUL): 422, like any such text.
    nul = body.replace(b"4620816365000000001", b"46208\\u0000163")
    signed_nul = {"intuit-signature": sign(WEBHOOK_VERIFIER, nul)}
    op = ("post", WEBHOOK)
    return [Case(op, 401, None, content=body), Case(op, 413, None, content=HUGE),
            Case(op, 422, None, content=nul, headers=signed_nul),
            Case(op, 200, None, content=body, headers=signed)]  # fmt: skip


def _shared(op: Operation, statuses: set[int], world: World) -> list[Case]:
    """Statuses many operations share, each provoked the same way everywhere."""
    method, template = op
    body = VALID.get(op)
    cases = []
    if 401 in statuses:
        cases.append(Case(op, 401, None, body))
    if op in FORBIDDEN_WITH and 403 in statuses:
        cases.append(Case(op, 403, FORBIDDEN_WITH[op], body))
    if 404 in statuses:
        cases.append(Case(op, 404, "other", body))
    if 413 in statuses:
        cases.append(Case(op, 413, content=HUGE))
    if 400 in statuses:
        malformed = method != "post" or body is not None
        cases.append(Case(op, 400, content=b"{nope" if malformed else None,
                          headers={} if malformed else {"Idempotency-Key": "k" * 300}))  # fmt: skip
    if 409 in statuses and method == "post":
        cases.append(Case(op, 409, body=body, reserve="same"))
    if 422 in statuses:
        if "{tenant_id}" in template:
            bad = Case(op, 422, body=body).url(world).replace(world.tenant, "a%00b", 1)
            cases.append(Case(op, 422, body=body, path=bad))
        elif method == "post":
            cases.append(Case(op, 422, body=body, reserve="other"))
    if 428 in statuses:
        cases.append(Case(op, 428, body={**body, "confirm_overwrite": False}))
    return cases


def cases_for(doc_statuses: dict[Operation, set[int]], world: World) -> list[Case]:
    """Every documented status but 503; failures first, then each operation's success."""
    errors: list[Case] = []
    successes: list[Case] = []
    for op, statuses in doc_statuses.items():
        method, template = op
        if op == ("post", WEBHOOK):
            errors += _webhook_cases()
            continue
        errors += _shared(op, statuses, world)
        stream = template.endswith("/events")
        status = SUCCESS_OVERRIDES.get(op, SUCCESS[method])
        path = CONNECTION.format(tenant_id=world.spare) if op == ("delete", CONNECTION) else None
        successes.append(Case(op, status, body=VALID.get(op), path=path, stream=stream))
    successes += [
        Case(("post", PUSH), 200, body={"invoice_ids": ["o-1"], "dry_run": True}),
        Case(("get", BATCH), 304, headers={"If-None-Match": "<etag>"}),
        Case(("get", "/batches/{batch_id}"), 422, path="/batches/not-a-uuid"),
    ]
    return errors + successes
