"""Writes the contract's JSON Schemas and AsyncAPI document into `schemas/`.

`python -m services.contract.generate` rewrites them; `--check` exits 1 when they are stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from services.contract.catalog import TOPICS
from services.contract.errors import ERROR_CATALOG
from services.contract.topics import DeadLetterHeader, Topic

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
CONTRACT_VERSION = "1.0.0"
JSON_SCHEMA_FORMAT = "application/schema+json;version=draft-2020-12"


def _event_type(model: type[Any]) -> str:
    return str(model.model_fields["event_type"].default)


def json_schemas() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for spec in TOPICS:
        for model in spec.events:
            name = _event_type(model)
            schema = model.model_json_schema(mode="serialization")
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            schema["$id"] = f"https://mediaos-qbo-sync.example/schemas/v1/{name}.schema.json"
            # Producers always send it and consumers route on it (the default is for Python).
            schema["required"] = sorted({*schema.get("required", ()), "event_type"})
            out[f"json/{name}.schema.json"] = schema
    return out


def _channel_id(topic: Topic) -> str:
    return topic.value.replace(".", "_").replace("-", "_")


def _event_channels(
    channels: dict[str, Any], operations: dict[str, Any], messages: dict[str, Any]
) -> None:
    for spec in TOPICS:
        channel_id = _channel_id(spec.topic)
        channel_messages: dict[str, Any] = {}
        for model in spec.events:
            name = _event_type(model)
            msg_id = name.replace(".", "_")
            messages[msg_id] = {
                "name": name,
                "contentType": "application/json",
                "payload": {
                    "schemaFormat": JSON_SCHEMA_FORMAT,
                    "schema": {"$ref": f"./json/{name}.schema.json"},
                },
                "bindings": {"kafka": {"key": {"type": "string", "description": spec.key}}},
            }
            channel_messages[msg_id] = {"$ref": f"#/components/messages/{msg_id}"}
        channels[channel_id] = {
            "address": spec.topic.value,
            "description": (
                f"Key `{spec.key}`. Produced by {spec.producers}; consumed by {spec.consumers}."
                + (" Internal to this service." if spec.internal else "")
            ),
            "messages": channel_messages,
        }
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"{spec.producers} publish",
        }


def _dead_letter_channel(
    channels: dict[str, Any], operations: dict[str, Any], messages: dict[str, Any]
) -> None:
    dlq_id = _channel_id(Topic.DEAD_LETTERS)
    channels[dlq_id] = {
        "address": Topic.DEAD_LETTERS.value,
        "description": (
            "Original key and bytes of a message that could not be processed, with headers: "
            + ", ".join(f"`{h.value}`" for h in DeadLetterHeader)
            + "."
        ),
        "messages": {"dead_letter": {"$ref": "#/components/messages/dead_letter"}},
    }
    operations[f"publish_{dlq_id}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{dlq_id}"},
        "summary": "sync worker, gateway publish what they could not process",
    }
    operations[f"read_{dlq_id}"] = {
        "action": "receive",
        "channel": {"$ref": f"#/channels/{dlq_id}"},
        "summary": "operators read, fix and republish",
    }
    messages["dead_letter"] = {
        "name": "dead_letter",
        "contentType": "application/octet-stream",
        "payload": {"type": "string", "description": "The original message bytes."},
    }


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    _event_channels(channels, operations, messages)
    _dead_letter_channel(channels, operations, messages)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "MediaOS <-> QuickBooks Online sync events",
            "version": CONTRACT_VERSION,
            "description": (
                "JSON, UTF-8; money as decimal strings; timestamps RFC 3339 UTC. Every "
                "message carries event_id (consumers deduplicate on it), event_type, "
                "occurred_at and tenant_id. Error codes: "
                + ", ".join(f"`{c.value}`" for c in ERROR_CATALOG)
                + "."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered() -> dict[str, str]:
    files = {
        path: json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for path, schema in json_schemas().items()
    }
    files["asyncapi.yaml"] = yaml.safe_dump(asyncapi(), sort_keys=False, width=100)
    return files


def stale_files(root: Path = SCHEMAS_DIR) -> list[str]:
    return [
        path
        for path, text in rendered().items()
        if not (root / path).exists() or (root / path).read_text(encoding="utf-8") != text
    ]


def write(root: Path = SCHEMAS_DIR) -> None:
    for path, text in rendered().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if schemas/ is stale")
    args = parser.parse_args()
    if args.check:
        stale = stale_files()
        if stale:
            print("stale generated files (run make schemas):", *stale, sep="\n  ")
            return 1
        return 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
