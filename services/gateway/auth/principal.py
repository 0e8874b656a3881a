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

    A page token is further limited to one batch (`batch_id`).
    """

    operator: bool
    tenant_id: str | None = None
    role: Role | None = None
    token_id: UUID | None = None
    batch_id: UUID | None = None

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
            return f"page:{self.batch_id}"
        return f"token:{self.token_id}"
