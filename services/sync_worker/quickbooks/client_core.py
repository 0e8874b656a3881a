"""What every QuickBooks call shares: sending through the executor, writes, paged queries,
and turning an answer into a model (an unexpected body is a retryable QBO_UNAVAILABLE)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from services.contract.errors import ErrorCode

from .config import QuickBooksConfig
from .errors import QuickBooksError
from .queries import in_list, paged
from .requestid import validate_request_id
from .transport import RequestExecutor

if TYPE_CHECKING:
    from .batching import CreateBatcher

OnStale = Literal["raise", "reread_and_retry"]
M = TypeVar("M", bound=BaseModel)

# Ids per `Id IN (...)` query, to keep the URL short.
_IDS_PER_QUERY = 100
# Longer statements go as a POST body (`application/text`), which QuickBooks accepts at any
# length: a GET carries the statement in the URL, and servers refuse URLs of ~8-16 KB.
GET_QUERY_MAX_CHARS = 2000


def unexpected_body(operation: str, what: str) -> QuickBooksError:
    return QuickBooksError(
        ErrorCode.QBO_UNAVAILABLE,
        f"QuickBooks answered {operation} with an unexpected body ({what}). Retry later.",
        details={"operation": operation},
    )


def parse_entity(model: type[M], data: Any, operation: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise unexpected_body(operation, f"{exc.error_count()} invalid fields") from None


def entity_of(data: dict[str, Any], entity: str, operation: str) -> dict[str, Any]:
    """The `entity` object of a write's answer; a body without it is retryable."""
    found = data.get(entity)
    if not isinstance(found, dict):
        raise unexpected_body(operation, f"no {entity}")
    return found


class ClientCore:
    """One tenant's connection: the base the entity calls build on."""

    def __init__(
        self,
        executor: RequestExecutor,
        config: QuickBooksConfig,
        *,
        tenant_id: str,
        realm_id: str,
        batcher: CreateBatcher | None = None,
    ) -> None:
        self._executor = executor
        self._batcher = batcher
        self._config = config
        self.tenant_id = tenant_id
        self.realm_id = realm_id

    def __repr__(self) -> str:
        return f"QuickBooksClient(tenant_id={self.tenant_id!r}, realm_id={self.realm_id!r})"

    async def _send(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        text: str | None = None,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        return await self._executor.send(
            tenant_id=self.tenant_id,
            method=method,
            path=path,
            endpoint=endpoint,
            params=params,
            body=body,
            text=text,
            request_id=request_id,
        )

    async def _read(self, entity: str, entity_id: str, endpoint: str) -> Any:
        data = await self._send("GET", f"{entity.lower()}/{entity_id}", endpoint)
        return entity_of(data, entity, endpoint)

    async def _write(
        self,
        entity: str,
        body: Mapping[str, Any],
        request_id: str,
        endpoint: str,
        operation: str | None = None,
    ) -> dict[str, Any]:
        params = {"operation": operation} if operation else None
        data = await self._send(
            "POST",
            entity.lower(),
            endpoint,
            params=params,
            body=dict(body),
            request_id=validate_request_id(request_id),
        )
        return entity_of(data, entity, endpoint)

    async def query(
        self, statement: str, entity: str, *, endpoint: str = "query", at_most: int | None = None
    ) -> list[Any]:
        """Run a `select * from <entity> ...` statement, following pages to the end.
        `at_most`: the statement cannot match more rows (an `Id in (...)` list), so once that
        many have come back there is no next page to ask for."""
        page_size = self._config.query_page_size
        results: list[Any] = []
        start = 1
        while True:
            text = paged(statement, start, page_size)
            if len(text) > GET_QUERY_MAX_CHARS:
                data = await self._send("POST", "query", endpoint, text=text)
            else:
                data = await self._send("GET", "query", endpoint, params={"query": text})
            response = data.get("QueryResponse")
            if not isinstance(response, dict):
                raise unexpected_body(endpoint, "no QueryResponse")
            page = response.get(entity) or []
            results.extend(page)
            if len(page) < page_size or (at_most is not None and len(results) >= at_most):
                return results
            start += page_size

    async def _query_ids(
        self, entity: str, ids: Sequence[str], endpoint: str, condition: str = ""
    ) -> list[Any]:
        """Rows with these Ids (each asked once), `_IDS_PER_QUERY` Ids a statement."""
        rows: list[Any] = []
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), _IDS_PER_QUERY):
            chunk = in_list(unique[i : i + _IDS_PER_QUERY])
            statement = f"select * from {entity} where Id in {chunk}{condition}"
            rows.extend(await self.query(statement, entity, endpoint=endpoint))
        return rows
