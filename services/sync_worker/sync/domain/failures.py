from __future__ import annotations

from typing import Any

from services.contract.errors import ErrorCode


class SyncFailure(Exception):
    """A unit of work cannot succeed as things stand; carries the stable result code."""

    def __init__(self, code: ErrorCode, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
