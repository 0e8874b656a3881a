"""How `syncctl` speaks: JSON documents on stdout (`--json`), errors as one line."""

from __future__ import annotations

import json
import sys
from typing import Any

from services.gateway.cli.client import ApiError


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def report_error(exc: Exception, *, as_json: bool) -> None:
    """One line on stderr (or one JSON object on stdout with `--json`), never a traceback."""
    if isinstance(exc, ApiError):
        title = exc.body.get("title") or "Error"
        detail = _one_line(str(exc))
        if as_json:
            emit_json({"error": {"status": exc.status, "title": title, "detail": detail}})
            return
        message = f"error {exc.status} {title}: {detail}"
    else:
        message = _one_line(str(exc)) or type(exc).__name__
        if as_json:
            emit_json({"error": {"status": None, "title": type(exc).__name__, "detail": message}})
            return
    print(f"syncctl: {message}", file=sys.stderr)
