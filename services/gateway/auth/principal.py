"""Who is calling and what they may do (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    ADMIN = "admin"
    PUSH = "push"
    READ = "read"


_ALLOWED: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.ADMIN, Role.PUSH, Role.READ}),
    Role.PUSH: frozenset({Role.PUSH, Role.READ}),
    Role.READ: frozenset({Role.READ}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """The operator (all tenants), a tenant token with one role, or a page token.

    A page token reads one batch (`batch_id`) and nothing else; if a push-capable principal
    minted it (`page_retry`), it may also retry that batch's failed invoices. `minted_by`
    names who minted it, for the audit trail; it expires at `page_expires_at`.
    """

    operator: bool
    tenant_id: str | None = None
    role: Role | None = None
    token_id: UUID | None = None
    batch_id: UUID | None = None
    page_retry: bool = False
    minted_by: str | None = None
    page_expires_at: int | None = None

    @property
    def is_page(self) -> bool:
        return self.batch_id is not None

    def may_retry_batch(self, tenant_id: str, batch_id: UUID) -> bool:
        if self.is_page:
            return self.tenant_id == tenant_id and self.batch_id == batch_id and self.page_retry
        return self.can(tenant_id, Role.PUSH)

    def can(self, tenant_id: str, needed: Role, batch_id: UUID | None = None) -> bool:
        if self.operator:
            return True
        if self.tenant_id != tenant_id or self.role is None:
            return False
        if self.batch_id is not None and self.batch_id != batch_id:
            return False
        return needed in _ALLOWED[self.role]

    @property
    def label(self) -> str:
        """How the principal is named in `requested_by` and logs (never the token)."""
        if self.operator:
            return "operator"
        if self.batch_id is not None:
            return f"page:{self.batch_id} minted by {self.minted_by or 'unknown'}"
        return f"token:{self.token_id}"
