"""`python -m services.gateway.openapi [--check]`: writes (or checks) schemas/openapi.json."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import SecretStr

from services.gateway.entrypoints.gateway_app import build_app
from services.gateway.settings import GatewaySettings

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "schemas" / "openapi.json"


def render() -> str:
    # Building the app connects to nothing; the token only satisfies the settings model.
    settings = GatewaySettings(gateway_admin_token=SecretStr("openapi-generation"))
    return json.dumps(build_app(settings).openapi(), indent=2, ensure_ascii=False) + "\n"


def is_stale(path: Path = OPENAPI_PATH) -> bool:
    return not path.exists() or path.read_text(encoding="utf-8") != render()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    if args.check:
        if is_stale():
            print(f"{OPENAPI_PATH} is stale: run `python -m services.gateway.openapi`")
            return 1
        return 0
    OPENAPI_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {OPENAPI_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
