from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
    """Who is calling: the operator (all tenants) or a token of one tenant with one role."""

    operator: bool
    tenant_id: str | None = None
    role: Role | None = None

    def can(self, tenant_id: str, needed: Role) -> bool:
        if self.operator:
            return True
        return (
            self.tenant_id == tenant_id and self.role is not None and needed in _ALLOWED[self.role]
        )
