"""The published JSON Schemas and the parser agree on every generated document: boundary
values are accepted or refused by both, rule-breaking ones refused by both."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import jsonschema
import pytest

from services.contract.catalog import TOPICS
from services.contract.generate import SCHEMAS_DIR
from services.contract.parsing import ContractViolation, parse_event
from tests.unit.contract.examples import valid_documents
from tests.unit.contract.schema_mutations import Variant, apply, variants

TOPIC_OF = {
    str(model.model_fields["event_type"].default): spec.topic.value
    for spec in TOPICS
    for model in spec.events
}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if RFC3339.match(value) is None:
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


def _schema(event_type: str) -> dict[str, Any]:
    path = SCHEMAS_DIR / "json" / f"{event_type}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _schema_accepts(schema: dict[str, Any], document: Any) -> bool:
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    return validator.is_valid(document)


def _parser_accepts(event_type: str, document: Any) -> bool:
    raw = json.dumps(document).encode()  # lone surrogates travel as \\ud800 escapes
    try:
        parse_event(TOPIC_OF[event_type], raw)
    except ContractViolation:
        return False
    return True


@pytest.mark.parametrize("event_type", sorted(TOPIC_OF))
def test_schema_and_parser_agree_on_every_variant(event_type: str) -> None:
    schema = _schema(event_type)
    jsonschema.Draft202012Validator.check_schema(schema)
    base = valid_documents()[event_type]
    assert _schema_accepts(schema, base) and _parser_accepts(event_type, base)

    verdicts: dict[bool, int] = {True: 0, False: 0}
    disagreements: list[str] = []
    for variant in variants(schema, base):
        document = apply(base, variant)
        by_schema = _schema_accepts(schema, document)
        verdicts[by_schema] += 1
        if by_schema != _parser_accepts(event_type, document):
            disagreements.append(
                f"{variant.label}: schema says {'valid' if by_schema else 'invalid'}"
            )

    assert disagreements == []
    # The generator reaches both sides of the rules, so agreement is not vacuous.
    assert verdicts[True] > 0 and verdicts[False] > 0, verdicts


def test_generator_covers_the_constraints_the_issue_names() -> None:
    schema = _schema("push.requested")
    labels = {v.label for v in variants(schema, valid_documents()["push.requested"])}
    for expected in (
        "invoice_ids: duplicate item",
        "invoice_ids: minItems-1",
        "invoice_ids: maxItems+1",
        "invoice_ids/0: minLength-1",
        "invoice_ids/0: maxLength+1",
        "invoice_ids/0: nul",
        "requested_by: lone surrogate",
        "<root>: without tenant_id",
        "<root>: unknown field",
    ):
        assert expected in labels


@pytest.mark.parametrize(
    ("label", "path", "value"),
    [
        ("duplicate ids", ("invoice_ids",), ["a", "a"]),
        ("empty id", ("invoice_ids",), [""]),
        ("NUL", ("requested_by",), "a\u0000b"),
    ],
)
def test_the_issues_examples_are_refused_by_both(
    label: str, path: tuple[str, ...], value: Any
) -> None:
    base = valid_documents()["push.requested"]
    document = apply(base, Variant(label, path, value))
    assert not _schema_accepts(_schema("push.requested"), document)
    assert not _parser_accepts("push.requested", document)
