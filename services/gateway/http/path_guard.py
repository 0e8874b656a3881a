"""Checks every route's path parameters before any handler or database sees them.

Tenant ids follow the contract's pattern (letters, digits, `.`, `_`, `-`, at least one that
is not a dot, so `.` and `..` never name a tenant and links built from them stay where they
point). No path parameter may carry NUL or other control characters, which PostgreSQL
cannot store. Installed as an app-wide dependency, so no route can forget it.
"""

from __future__ import annotations

import re

from fastapi import Request

from services.contract.common import TENANT_ID_PATTERN
from services.gateway.http.problems import Problem

_TENANT_ID = re.compile(TENANT_ID_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


async def check_path_params(request: Request) -> None:
    for name, value in request.path_params.items():
        if not isinstance(value, str):
            continue
        if _CONTROL.search(value):
            raise Problem(
                422,
                "Invalid request",
                f"path.{name}: control characters (such as NUL) are not allowed",
                errors=[{"location": f"path.{name}", "message": "control character"}],
            )
        if name == "tenant_id" and not (len(value) <= 64 and _TENANT_ID.fullmatch(value)):
            raise Problem(
                422,
                "Invalid request",
                f"path.tenant_id: must match {TENANT_ID_PATTERN} (1-64 characters, not only dots)",
                errors=[{"location": "path.tenant_id", "message": "invalid tenant id"}],
            )
