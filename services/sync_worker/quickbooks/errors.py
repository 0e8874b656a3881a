"""The one exception type the client raises, carrying the project's stable error codes."""

from __future__ import annotations

from typing import Any

from services.contract.errors import ERROR_CATALOG, ErrorCode


class QuickBooksError(Exception):
    """A QuickBooks call failed; `code` is stable, `message` says what happened and what to do.

    `retryable` tells whether running the same unit of work again later can succeed.
    `fault_code` is QuickBooks' own error code (e.g. "6140") when it sent one.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        retryable: bool | None = None,
        details: dict[str, Any] | None = None,
        fault_code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = ERROR_CATALOG[code].retryable if retryable is None else retryable
        self.details: dict[str, Any] = dict(details or {})
        if fault_code is not None:
            self.details.setdefault("fault_code", fault_code)
        if http_status is not None:
            self.details.setdefault("http_status", http_status)
        self.fault_code = fault_code
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code.value!r}, retryable={self.retryable}, "
            f"fault_code={self.fault_code!r}, http_status={self.http_status!r}, "
            f"message={self.message!r})"
        )


class QuickBooksDuplicateNameError(QuickBooksError):
    """Fault 6240: another customer/vendor/employee already uses this DisplayName.

    The worker can look the customer up by name and use it instead of creating one.
    """


class QuickBooksStaleObjectError(QuickBooksError):
    """Fault 5010: the SyncToken sent is not the current one (someone else changed it)."""


class QuickBooksNotConnectedError(QuickBooksError):
    """The tenant has no QuickBooks connection stored."""

    def __init__(self, tenant_id: str) -> None:
        info = ERROR_CATALOG[ErrorCode.NOT_CONNECTED]
        super().__init__(
            ErrorCode.NOT_CONNECTED,
            f"No QuickBooks company is connected for tenant {tenant_id!r}. {info.what_to_do}",
            details={"tenant_id": tenant_id},
        )


class QuickBooksAuthError(QuickBooksError):
    """QuickBooks refused the tenant's credentials; a human has to reconnect."""

    def __init__(
        self,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        fault_code: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(
            ErrorCode.QBO_AUTH,
            message,
            retryable=False,
            details=details,
            fault_code=fault_code,
            http_status=http_status,
        )
