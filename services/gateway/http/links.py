"""Absolute links to a batch's resources, page tokens for the progress window, and the
202 answer to a push that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from uuid import UUID

from services.contract.common import utc_now
from services.gateway.auth.page_tokens import PageClaims, mint_page_token
from services.gateway.auth.principal import Principal, Role
from services.gateway.batches.model import BatchState
from services.gateway.batches.schemas import BatchLinks, PageToken, PushAccepted


@dataclass(frozen=True, slots=True)
class Links:
    """What a request needs to link back to the gateway: its public base URL, and the key
    and lifetime of the page tokens it mints."""

    base_url: str
    page_key: bytes
    page_token_ttl_seconds: int

    def tenant(self, tenant_id: str) -> str:
        return f"{self.base_url}/v1/tenants/{tenant_id}"

    def page_token(self, principal: Principal, tenant_id: str, batch_id: UUID) -> PageToken:
        """A page token never grants more than its minter had, and at most `push`.

        A page token's own Retry lands on the new batch with a token for it that cannot
        outlive the one presented and has no more power: a leaked URL never renews itself."""
        ttl = timedelta(seconds=self.page_token_ttl_seconds)
        expires_at = utc_now().replace(microsecond=0) + ttl
        if principal.is_page:
            role = Role.PUSH if principal.page_retry else Role.READ
            presented = datetime.fromtimestamp(principal.page_expires_at or 0, UTC)
            expires_at = min(expires_at, presented)
            minted_by = principal.minted_by or ""
        else:
            role = Role.READ if principal.role is Role.READ else Role.PUSH
            minted_by = principal.label
        token = mint_page_token(
            self.page_key,
            PageClaims(tenant_id, batch_id, role, int(expires_at.timestamp()), minted_by),
        )
        return PageToken(
            token=token, expires_at=expires_at, page=self.page_url(tenant_id, batch_id, token)
        )

    def page_url(self, tenant_id: str, batch_id: UUID, token: str) -> str:
        query = urlencode({"tenant": tenant_id, "access_token": token})
        return f"{self.base_url}/batches/{batch_id}?{query}"

    def batch(self, principal: Principal, tenant_id: str, batch_id: UUID) -> BatchLinks:
        root = f"{self.tenant(tenant_id)}/push-batches/{batch_id}"
        return BatchLinks(
            status=root,
            invoices=f"{root}/invoices",
            events=f"{root}/events",
            page=self.page_token(principal, tenant_id, batch_id).page,
        )

    def accepted_batch(
        self,
        principal: Principal,
        tenant_id: str,
        batch_id: UUID,
        total: int,
        retry_of: UUID | None = None,
    ) -> PushAccepted:
        """The answer to a push whose batch was just started."""
        return PushAccepted(
            batch_id=batch_id,
            tenant_id=tenant_id,
            total=total,
            state=BatchState.PENDING,
            retry_of=retry_of,
            links=self.batch(principal, tenant_id, batch_id),
        )
