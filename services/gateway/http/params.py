"""Path parameters shared by the routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

TenantId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="MediaOS account id (as in the event contract).",
    ),
]
BatchId = Annotated[UUID, Path(description="Batch id returned by POST push-batches.")]
