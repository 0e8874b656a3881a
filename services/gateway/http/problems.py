"""RFC 9457 problem-details responses for every error the API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # for 429 and 503 answers that do not say otherwise


def documented_problem(description: str) -> dict[str, Any]:
    """A route's documented error answer (for `responses=`): a problem+json body, whose
    schema `openapi_problems` fills in."""
    return {"content": {PROBLEM_JSON: {}}, "description": description}


class Problem(Exception):
    def __init__(
        self, status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.extra = extra


def problem_response(
    request: Request, status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
) -> JSONResponse:
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status in (429, 503):
        headers["Retry-After"] = str(extra.pop("retry_after", RETRY_AFTER_SECONDS))
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers or None)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc.status, exc.title, exc.detail, exc.type, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        if any(e.get("type") == "json_invalid" for e in raw):
            return problem_response(
                request, 400, "Malformed JSON", "The request body is not valid JSON."
            )
        errors = [
            {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in raw[:20]
        ]
        return problem_response(
            request,
            422,
            "Invalid request",
            "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5]),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(request, exc.status_code, str(exc.detail), str(exc.detail))
