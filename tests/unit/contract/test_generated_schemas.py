from __future__ import annotations

import json

import jsonschema
import yaml

from services.contract.generate import SCHEMAS_DIR, stale_files
from tests.support.factories import invoice_created


def test_generated_files_are_up_to_date() -> None:
    assert stale_files() == [], "run `make schemas` and commit schemas/"


def test_json_schema_accepts_a_real_event_and_rejects_a_broken_one() -> None:
    schema = json.loads((SCHEMAS_DIR / "json" / "invoice.created.schema.json").read_text())
    event = json.loads(invoice_created("acme").model_dump_json())
    jsonschema.validate(event, schema)
    event["invoice"]["total"] = 12.5
    try:
        jsonschema.validate(event, schema)
    except jsonschema.ValidationError as exc:
        assert "total" in str(exc.absolute_path) or "string" in exc.message
    else:
        raise AssertionError("a float total must not satisfy the schema")


def test_asyncapi_lists_every_topic_of_the_contract() -> None:
    doc = yaml.safe_load((SCHEMAS_DIR / "asyncapi.yaml").read_text())
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {
        "mediaos.invoices.v1",
        "mediaos.settings.v1",
        "sync.push-requests.v1",
        "sync.results.v1",
        "quickbooks.invoice-changes.v1",
        "quickbooks.webhooks.v1",
        "sync.connections.v1",
        "sync.reconciliation-requests.v1",
        "sync.reconciliations.v1",
        "sync.connection-status.v1",
        "sync.dead-letters.v1",
    }
    assert doc["asyncapi"].startswith("3.")
