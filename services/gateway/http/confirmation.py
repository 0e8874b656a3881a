"""The overwrite confirmation every push needs, and the contract of a route that starts a
push batch (202 with the batch's links; 409 and 428 refusals)."""

from __future__ import annotations

from typing import Any

from services.gateway.batches.model import OVERWRITE_WARNING
from services.gateway.batches.schemas import PushAccepted
from services.gateway.http.problems import Problem, documented_problem

CONFIRMATION_TYPE = "urn:mediaos-sync:problem:overwrite-confirmation-required"


def confirmation_problem() -> Problem:
    return Problem(
        428,
        "Confirmation required",
        f"{OVERWRITE_WARNING} Send again with `confirm_overwrite: true` to proceed.",
        type_=CONFIRMATION_TYPE,
        warning=OVERWRITE_WARNING,
    )


def push_route(
    conflict: str, more: dict[int | str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The route options of a push: 202 `PushAccepted`, 409 for `conflict`, 428 without
    the confirmation, and `more` documented answers."""
    confirm = documented_problem(
        "`confirm_overwrite` is not true: nothing was sent. The body's "
        "`warning` is the text to show before asking again."
    )
    return {
        "status_code": 202,
        "response_model": PushAccepted,
        "responses": {**(more or {}), 409: documented_problem(conflict), 428: confirm},
    }
