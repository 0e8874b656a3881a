"""Derives boundary and rule-breaking variants of a valid document from its JSON Schema.

Each constraint the schema states (required, additionalProperties, minLength, maxLength,
pattern, enum/const, minItems, maxItems, uniqueItems, minimum, maximum) yields variants just
inside and just outside it; every string also gets NUL, a lone surrogate and non-ASCII text.
The generator never decides validity: the schema and the parser each give their verdict.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

DELETE = object()


@dataclass(frozen=True)
class Variant:
    label: str
    path: tuple[Any, ...]
    replacement: Any


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = root["$defs"][ref.removeprefix("#/$defs/")]
    return schema


def _branches(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [_resolve(o, root) for o in options]


def _strings(s: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield "nul", "a\u0000b"
    yield "lone surrogate", "a\ud800b"
    yield "non-ascii", "é€😀"
    if "minLength" in s:
        yield "minLength", "a" * s["minLength"]
        yield "minLength-1", "a" * (s["minLength"] - 1)
    if "maxLength" in s:
        yield "maxLength", "a" * s["maxLength"]
        yield "maxLength+1", "a" * (s["maxLength"] + 1)
    if "enum" in s or "const" in s:
        yield "not a member", "not-a-member"


def _values(schema: dict[str, Any], root: dict[str, Any], value: Any) -> Iterator[tuple[str, Any]]:
    """Replacement values for one node (other than its own children)."""
    for s in _branches(schema, root):
        kind = s.get("type")
        if kind == "string":
            yield from _strings(s)
        elif kind == "integer":
            for bound, step in (("minimum", -1), ("maximum", 1)):
                if bound in s:
                    yield bound, s[bound]
                    yield f"{bound}{step:+d}", s[bound] + step
        elif kind == "array" and isinstance(value, list) and value:
            if "minItems" in s:
                yield "minItems-1", value[: s["minItems"] - 1]
            if "maxItems" in s:
                many = [f"x{i}" for i in range(s["maxItems"] + 1)]
                yield "maxItems", many[:-1]
                yield "maxItems+1", many
            yield "duplicate item", [value[0], *value]


def variants(schema: dict[str, Any], document: Any) -> Iterator[Variant]:
    yield from _walk(schema, schema, document, ())


def _walk(
    schema: dict[str, Any], root: dict[str, Any], value: Any, path: tuple[Any, ...]
) -> Iterator[Variant]:
    where = "/".join(map(str, path)) or "<root>"
    for label, replacement in _values(schema, root, value):
        yield Variant(f"{where}: {label}", path, replacement)
    for s in _branches(schema, root):
        if s.get("type") == "object" and isinstance(value, dict):
            yield from _object(s, root, value, path)
        elif s.get("type") == "array" and isinstance(value, list) and value:
            yield from _walk(_resolve(s.get("items", {}), root), root, value[0], (*path, 0))


def _object(
    s: dict[str, Any], root: dict[str, Any], value: dict[str, Any], path: tuple[Any, ...]
) -> Iterator[Variant]:
    where = "/".join(map(str, path)) or "<root>"
    for name in s.get("required", ()):
        yield Variant(f"{where}: without {name}", (*path, name), DELETE)
    yield Variant(f"{where}: unknown field", (*path, "unexpected_field"), "x")
    for name, sub in s.get("properties", {}).items():
        if name in value:
            yield from _walk(_resolve(sub, root), root, value[name], (*path, name))


def apply(document: Any, variant: Variant) -> Any:
    """A deep copy of `document` with the variant's value at its path (or deleted)."""
    out = copy.deepcopy(document)
    if not variant.path:
        return variant.replacement
    node = out
    for key in variant.path[:-1]:
        node = node[key]
    if variant.replacement is DELETE:
        del node[variant.path[-1]]
    else:
        node[variant.path[-1]] = variant.replacement
    return out
