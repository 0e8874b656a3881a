"""Change data capture: entities changed since a moment, deleted ones as stubs."""

from __future__ import annotations

from . import errors
from .clock import parse_timestamp
from .entities import Record
from .errors import JsonDict
from .realm import ENTITIES, Realm

DAY = 86_400.0


def _stub(record: Record) -> JsonDict:
    return {
        "Id": record.id,
        "status": "Deleted",
        "domain": "QBO",
        "MetaData": {"LastUpdatedTime": record.data["MetaData"]["LastUpdatedTime"]},
    }


def parse_entities(value: str | None) -> list[str]:
    if not value:
        raise errors.required_param("entities")
    canonical = {name.lower(): name for name in ENTITIES}
    names: list[str] = []
    for raw in value.split(","):
        name = canonical.get(raw.strip().lower())
        if name is None:
            raise errors.invalid_value("entities", f"Unsupported entity for CDC: {raw.strip()}")
        if name not in names:
            names.append(name)
    return names


def run_cdc(realm: Realm, entities: str | None, changed_since: str | None, now: float) -> JsonDict:
    """Return the body of one `CDCResponse` element."""
    names = parse_entities(entities)
    if not changed_since:
        raise errors.required_param("changedSince")
    try:
        since = parse_timestamp(changed_since, realm.settings.tz_offset_minutes)
    except ValueError as exc:
        raise errors.invalid_value("changedSince", f"Invalid date {changed_since!r}") from exc
    max_days = realm.settings.cdc_max_lookback_days
    if now - since > max_days * DAY:
        raise errors.business_validation(
            f"changedSince cannot be more than {max_days} days in the past", "changedSince"
        )
    changed = [
        (record.changed_at, name, record)
        for name in names
        for record in realm.tables[name].rows.values()
        if record.changed_at >= since
    ]
    changed.sort(key=lambda entry: entry[0])
    changed = changed[: realm.settings.cdc_max_objects]
    grouped: dict[str, list[JsonDict]] = {name: [] for name in names}
    for _, name, record in changed:
        grouped[name].append(_stub(record) if record.deleted else record.data)
    responses: list[JsonDict] = []
    for name in names:
        found = grouped[name]
        responses.append(
            {name: found, "startPosition": 1, "maxResults": len(found)} if found else {}
        )
    return {"QueryResponse": responses}
