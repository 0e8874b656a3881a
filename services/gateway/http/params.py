"""Path parameters shared by the routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

from services.contract.common import TENANT_ID_PATTERN

TenantId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=TENANT_ID_PATTERN,
        description="MediaOS account id (as in the event contract).",
    ),
]
BatchId = Annotated[UUID, Path(description="Batch id returned by POST push-batches.")]
