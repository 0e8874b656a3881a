"""`python -m services.quickbooks_sandbox --host 127.0.0.1 --port 8765
[--webhook-url URL --webhook-verifier TOKEN]` (flags default to `QBO_SANDBOX_*` env vars)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import uvicorn

from .app import create_app
from .config import parse_args


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level=config.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
