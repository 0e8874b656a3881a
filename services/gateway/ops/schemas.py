"""The ops overview body (it shapes the OpenAPI document). Every number has a link to the
filtered inbox or batch list that explains it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from services.contract.common import UtcDatetime
from services.gateway.batches.schemas import BatchCounts


class Linked(BaseModel):
    count: int
    link: str | None = Field(default=None, description="The filtered inbox or batch list.")


class TenantConnection(BaseModel):
    tenant_id: str
    realm_id: str | None
    status: str
    reason: str | None
    since: UtcDatetime
    link: str


class Connections(BaseModel):
    by_state: dict[str, int] = Field(description="connecting, connected, broken, not_connected.")
    not_working: list[TenantConnection] = Field(description="Broken and disconnected tenants.")


class CodeFailures(BaseModel):
    code: str
    last_hour: int
    last_day: int
    by_tenant: dict[str, Linked] = Field(description="Last day, per tenant; inbox links.")


class TenantFailures(BaseModel):
    tenant_id: str
    last_hour: Linked
    last_day: Linked


class Failures(BaseModel):
    last_hour: int
    last_day: int
    by_code: list[CodeFailures]
    by_tenant: list[TenantFailures]


class BatchInProgress(BaseModel):
    tenant_id: str
    batch_id: UUID
    state: str
    percent: float
    counts: BatchCounts
    started_at: UtcDatetime
    link: str = Field(description="The batch's progress.")
    list_link: str = Field(description="The tenant's unfinished batches.")


class ThrottledRealmBody(BaseModel):
    realm_id: str | None
    tenant_id: str
    rate_limited_results: int
    last_at: UtcDatetime
    link: str


class GroupLagBody(BaseModel):
    group: str
    total: int
    by_topic: dict[str, int]


class KafkaBody(BaseModel):
    available: bool
    consumer_lag: list[GroupLagBody]
    dead_letters: int | None = Field(description="Records retained on sync.dead-letters.v1.")
    error: str | None = None


class LastReconciliation(BaseModel):
    tenant_id: str
    id: UUID
    state: str = Field(description="queued, running, completed or failed.")
    trigger: str
    at: UtcDatetime = Field(description="When it finished, else when it was requested.")
    invoices_total: int | None
    counts: dict[str, Linked] | None = Field(
        description="Invoices per category (in_sync, missing_in_quickbooks, different, "
        "only_in_quickbooks, not_sendable), each linked to its rows; null until the run "
        "completes."
    )
    error: str | None
    link: str = Field(description="The run: progress, counts and amounts per category.")


class OpsOverview(BaseModel):
    generated_at: UtcDatetime
    connections: Connections
    failures: Failures
    batches_in_progress: list[BatchInProgress]
    throttled_realms: list[ThrottledRealmBody]
    kafka: KafkaBody
    parked_messages: int | None = Field(description="Null: no parked-messages table here.")
    last_reconciliations: list[LastReconciliation] = Field(
        description="Each tenant's latest reconciliation run, newest first (at most 200)."
    )
    notes: list[str]
