"""schemas/asyncapi.yaml passes the official AsyncAPI parser (npm @asyncapi/parser), run with
node from tools/asyncapi. No node or npm is a failure, never a skip: the check is part of
`make test`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from services.contract.generate import JSON_SCHEMA_FORMAT, SCHEMAS_DIR

TOOL = Path(__file__).resolve().parents[3] / "tools" / "asyncapi"


def _validator() -> list[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are required to validate the AsyncAPI document"
    if not (TOOL / "node_modules" / "@asyncapi" / "parser").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=TOOL, check=True, timeout=600)
    return [node, str(TOOL / "validate.mjs")]


def _validate(document: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_validator(), str(document)], capture_output=True, text=True, timeout=300
    )


def test_official_parser_accepts_the_generated_document() -> None:
    result = _validate(SCHEMAS_DIR / "asyncapi.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    channels = yaml.safe_load((SCHEMAS_DIR / "asyncapi.yaml").read_text())["channels"]
    assert f"valid: {len(channels)} channels" in result.stdout


def test_official_parser_refuses_an_operation_on_a_missing_channel(tmp_path: Path) -> None:
    copy = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, copy)
    doc = yaml.safe_load((copy / "asyncapi.yaml").read_text())
    first = next(iter(doc["operations"].values()))
    first["channel"] = {"$ref": "#/channels/no_such_channel"}
    (copy / "asyncapi.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))

    result = _validate(copy / "asyncapi.yaml")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "no_such_channel" in result.stdout


def test_every_channel_has_an_operation_and_payloads_name_their_schema_format() -> None:
    doc = yaml.safe_load((SCHEMAS_DIR / "asyncapi.yaml").read_text())
    used = {op["channel"]["$ref"].rsplit("/", 1)[1] for op in doc["operations"].values()}
    assert used == set(doc["channels"])
    for name, message in doc["components"]["messages"].items():
        payload = message["payload"]
        if message["contentType"] == "application/json":
            assert payload["schemaFormat"] == JSON_SCHEMA_FORMAT, name
            assert (SCHEMAS_DIR / payload["schema"]["$ref"]).is_file(), name
