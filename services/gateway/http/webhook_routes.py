"""QuickBooks webhook receiver: verify over the raw body, enqueue, answer fast."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Request
from pydantic import BaseModel

from services.gateway.http.deps import DbPool, Settings
from services.gateway.http.problems import Problem
from services.gateway.observability import metrics
from services.gateway.webhooks.payload import PayloadError, parse_notifications
from services.gateway.webhooks.service import accept_notifications, dead_letter_body
from services.gateway.webhooks.signature import verify_signature

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
log = structlog.get_logger(__name__)


class WebhookAccepted(BaseModel):
    forwarded: int
    dead_lettered: int


@router.post(
    "/quickbooks",
    response_model=WebhookAccepted,
    responses={401: {"content": {"application/problem+json": {}}}},
)
async def quickbooks_webhook(
    request: Request,
    settings: Settings,
    pool: DbPool,
    intuit_signature: Annotated[str | None, Header(alias="intuit-signature")] = None,
) -> WebhookAccepted:
    """Intuit change notifications (legacy `eventNotifications` or CloudEvents array).

    Checked against `intuit-signature` over the raw body; each realm's changes go to
    the worker on `quickbooks.webhooks.v1` for every tenant connected to it, a realm no
    tenant is connected to goes to `sync.dead-letters.v1`. A signed body that is not a
    notification is dead-lettered too (and answered 200, so Intuit stops retrying it).
    """
    body = await request.body()
    verifier = settings.qbo_webhook_verifier_token
    if verifier is None or not verify_signature(
        verifier.get_secret_value(), body, intuit_signature
    ):
        metrics.WEBHOOKS.labels(outcome="refused").inc()
        raise Problem(401, "Unauthorized", "Missing or invalid intuit-signature.")
    failed_by = f"gateway:{settings.gateway_instance_id}"
    try:
        notifications = parse_notifications(body)
    except PayloadError as exc:
        await dead_letter_body(pool, body, str(exc), failed_by=failed_by)
        metrics.WEBHOOKS.labels(outcome="dead_lettered").inc()
        return WebhookAccepted(forwarded=0, dead_lettered=1)
    routed = await accept_notifications(pool, notifications, failed_by=failed_by)
    metrics.WEBHOOKS.labels(outcome="forwarded").inc(routed.forwarded)
    metrics.WEBHOOKS.labels(outcome="dead_lettered").inc(routed.dead_lettered)
    log.info("webhook_accepted", forwarded=routed.forwarded, dead_lettered=routed.dead_lettered)
    return WebhookAccepted(forwarded=routed.forwarded, dead_lettered=routed.dead_lettered)
