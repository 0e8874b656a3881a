"""Sends one logical QuickBooks request: rate gate, auth, retries, fault mapping.

Retried: 429/3001 throttles (JSON or XML, also the old 403 form), 5xx, network errors and
timeouts, with exponential backoff and jitter inside a bounded total time. A 401 triggers one
token refresh. Writes carry the caller's `requestid` on every attempt, so when a timeout hid
a committed create, the retry makes QuickBooks replay the original answer instead of
creating a second object.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections.abc import Sequence
from typing import Any

import httpx
import structlog
from pydantic import SecretStr
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
)

from services.contract.errors import ErrorCode

from .attempts import Attempt, Outgoing, Prepaid, TransientError, unreachable, wire_time_recorder
from .config import QuickBooksConfig
from .errors import QuickBooksError
from .faults import Fault, fault_to_error, parse_fault
from .jsonutil import dumps, loads
from .metrics import MetricsHook, RequestMetric
from .rate_limit import Grant, RateGate
from .tokens import AccessToken, TokenProvider

log = structlog.get_logger(__name__)

_USER_AGENT = "mediaos-qbo-sync"
_EPSILON = 0.001
_THROTTLE_PAUSE_SECONDS = 1.0
# A resent batch without room in the minute asks again after this, for at most a minute.
NO_ROOM_PAUSE_SECONDS = 1.0
NO_ROOM_TRIES = 62


class RequestExecutor:
    def __init__(
        self,
        config: QuickBooksConfig,
        http: httpx.AsyncClient | Sequence[httpx.AsyncClient],
        tokens: TokenProvider,
        limiter: RateGate,
        metrics: MetricsHook | None = None,
    ) -> None:
        self._config = config
        # Several clients, each company always on the same one: httpcore scans its whole
        # connection pool for every request, so one pool of hundreds costs more CPU than
        # the requests themselves.
        self._http = [http] if isinstance(http, httpx.AsyncClient) else list(http)
        self._tokens = tokens
        self._limiter = limiter
        self._metrics = metrics

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.throttled:
            # Our pacing keeps 429s rare, so the first retry comes after about one window;
            # repeated 429s (another app on the company) back off up to the configured wait.
            step = min(2.0 ** (state.attempt_number - 1), self._config.throttle_backoff_seconds)
            wait = step * random.uniform(0.8, 1.2)
        else:
            # Exponential backoff with full jitter on top of the base step.
            base = self._config.retry_initial_backoff_seconds
            step = min(
                self._config.retry_max_backoff_seconds, base * 2 ** (state.attempt_number - 1)
            )
            wait = step + random.uniform(0, base)
        # Never sleep past the retry budget: one last attempt fits before the deadline.
        remaining = self._config.retry_total_seconds - (state.seconds_since_start or 0.0)
        return max(min(wait, remaining - _EPSILON), 0.0)

    async def send(
        self,
        *,
        tenant_id: str,
        method: str,
        path: str,
        endpoint: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        text: str | None = None,
        request_id: str | None = None,
        prepaid: Prepaid | None = None,
    ) -> dict[str, Any]:
        """`path` is relative to /v3/company/{realm}; returns the parsed JSON answer.
        `body` is sent as JSON, `text` as `application/text` (a query sent by POST).
        `prepaid`: a `/batch` formed at a grant the caller holds (see batching.py)."""
        query = dict(params or {})
        if request_id is not None:
            query["requestid"] = request_id
        if self._config.minor_version is not None:
            query["minorversion"] = str(self._config.minor_version)
        content = dumps(body) if body is not None else None
        content_type = "application/json"
        if text is not None:
            content, content_type = text.encode("utf-8"), "application/text"
        retrying = AsyncRetrying(
            stop=stop_after_delay(self._config.retry_total_seconds),
            wait=self._wait,
            retry=retry_if_exception_type(TransientError),
            reraise=True,
        )
        bound = {"requestid": request_id} if request_id is not None else {}
        prepaid = prepaid or Prepaid(None, None, 1)
        outgoing = Outgoing(
            tenant_id, method, path, endpoint, query, content, content_type, prepaid
        )
        with structlog.contextvars.bound_contextvars(**bound):
            return await self._send(retrying, outgoing)

    async def _send(self, retrying: AsyncRetrying, outgoing: Outgoing) -> dict[str, Any]:
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(outgoing, attempt.retry_state.attempt_number)
        except TransientError as exc:
            raise exc.final from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, out: Outgoing, attempt_number: int) -> dict[str, Any]:
        rejected: SecretStr | None = None
        for auth_try in range(2):
            token = await self._token(out.tenant_id, rejected)
            call = Attempt(token.realm_id, out.endpoint, attempt_number)
            grant = await self._grant(call.realm_id, out.prepaid)
            response = await self._exchange(call, token, grant, out)
            if response.status_code < 300:
                return self._parse_success(response, out.endpoint, call.realm_id)
            fault = self._fault(call, response)
            if fault.is_auth_expired and auth_try == 0:
                rejected = token.token
                continue
            self._raise_for(fault, out.endpoint)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _token(self, tenant_id: str, rejected: SecretStr | None) -> AccessToken:
        try:
            return await self._tokens.get(tenant_id, rejected=rejected)
        except QuickBooksError as exc:
            if exc.code is ErrorCode.QBO_UNAVAILABLE:
                raise TransientError(exc, throttled=False) from None
            raise

    async def _grant(self, realm_id: str, prepaid: Prepaid) -> Grant:
        """The caller's grant for the first attempt, a new one for every other; a batch's
        items are charged on each (a resent batch counts again). A resent batch cannot
        shrink (same bytes, same requestid), so it waits until the minute has room for it
        all; a slot taken meanwhile stays unused (the safe side)."""
        grant = prepaid.take(realm_id) or await self._limiter.acquire(realm_id)
        for _ in range(NO_ROOM_TRIES):
            if prepaid.items == 1 or grant.fits(prepaid.items):
                break
            await asyncio.sleep(NO_ROOM_PAUSE_SECONDS)
            grant = await self._limiter.acquire(realm_id)
        grant.charge_batch(prepaid.items)
        return grant

    async def _exchange(
        self, call: Attempt, token: AccessToken, grant: Grant, out: Outgoing
    ) -> httpx.Response:
        """One HTTP request at its rate grant; network failures are transient."""
        call.rate_wait = grant.waited
        http = self._http[zlib.crc32(call.realm_id.encode()) % len(self._http)]
        call.started = time.monotonic()
        try:
            response = await http.request(
                out.method,
                f"{self._config.api_base_url}/v3/company/{call.realm_id}/{out.path}",
                params=out.query,
                content=out.content,
                headers={
                    "Authorization": f"Bearer {token.token.get_secret_value()}",
                    "Accept": "application/json",
                    "Content-Type": out.content_type,
                    "User-Agent": _USER_AGENT,
                },
                extensions={"trace": wire_time_recorder(grant)},
            )
        except httpx.TransportError as exc:
            outcome = "timeout" if isinstance(exc, httpx.TimeoutException) else "network_error"
            self._observe(call, outcome)
            log.warning(
                "qbo_request_failed",
                realm_id=call.realm_id,
                endpoint=call.endpoint,
                outcome=outcome,
                error=type(exc).__name__,
                qbo_attempt=call.attempt,
            )
            raise TransientError(unreachable(call.endpoint, exc), throttled=False) from None
        self._observe(call, str(response.status_code))
        log.info(
            "qbo_call",
            realm_id=call.realm_id,
            endpoint=call.endpoint,
            status=response.status_code,
            rate_wait_ms=round(call.rate_wait * 1000),
            duration_ms=round((time.monotonic() - call.started) * 1000),
            intuit_tid=response.headers.get("intuit_tid"),
            qbo_attempt=call.attempt,
        )
        return response

    def _fault(self, call: Attempt, response: httpx.Response) -> Fault:
        intuit_tid = response.headers.get("intuit_tid")
        fault = parse_fault(response.status_code, response.content, intuit_tid)
        log.warning(
            "qbo_request_fault",
            realm_id=call.realm_id,
            endpoint=call.endpoint,
            status=response.status_code,
            fault_codes=list(fault.codes),
            intuit_tid=intuit_tid,
            qbo_attempt=call.attempt,
        )
        if fault.is_throttle:
            # Our pacing slipped (or another app shares the company): one window's pause
            # for every request of the realm; this request itself backs off longer.
            self._limiter.throttled(call.realm_id, _THROTTLE_PAUSE_SECONDS)
        return fault

    @staticmethod
    def _raise_for(fault: Fault, endpoint: str) -> None:
        final = fault_to_error(fault, endpoint)
        if fault.is_transient:
            raise TransientError(final, throttled=fault.is_throttle)
        raise final

    @staticmethod
    def _parse_success(response: httpx.Response, endpoint: str, realm_id: str) -> dict[str, Any]:
        try:
            data = loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("qbo_unexpected_body", realm_id=realm_id, endpoint=endpoint)
            raise TransientError(
                QuickBooksError(
                    ErrorCode.QBO_UNAVAILABLE,
                    f"QuickBooks answered {endpoint} with a body that is not JSON. Retry later.",
                    details={"operation": endpoint},
                    http_status=response.status_code,
                ),
                throttled=False,
            )
        return data

    def _observe(self, call: Attempt, outcome: str) -> None:
        duration = time.monotonic() - call.started
        log.debug(
            "qbo_request",
            realm_id=call.realm_id,
            endpoint=call.endpoint,
            outcome=outcome,
            duration_ms=round(duration * 1000, 1),
            qbo_attempt=call.attempt,
        )
        if self._metrics is not None:
            metric = RequestMetric(
                call.realm_id, call.endpoint, outcome, duration, call.attempt, call.rate_wait
            )
            try:
                self._metrics(metric)
            except Exception:
                # Observability must never fail a sync.
                log.exception("qbo_metrics_hook_failed", endpoint=call.endpoint)
