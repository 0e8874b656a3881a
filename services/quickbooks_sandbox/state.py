"""`--state-dir`: realms and the webhook queue on disk, so a restarted sandbox carries on.

Design: one JSON snapshot per realm (`realms/<realm_id>.json`), rewritten after every change
to that realm, before the response leaves; plus `webhooks.json` with the undelivered change
events. Each file is written to a temporary name and renamed over the old one, so a reader
(the next start) sees the old or the new state, never a torn one. Chosen over an append-only
journal because the sandbox's ids and tokens are random, so a journal would have to record
results, not requests, and then a snapshot is simpler with the same guarantee. No fsync: the
state must survive the process being killed (the page cache survives SIGKILL), not a power
cut. Cost: O(realm size) per write, fine for tests and the demo; benchmarks run without it.
Tokens and client secrets are stored as SHA-256 digests only (`domain.tokens`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from .domain.events import ChangeEvent
from .domain.realm import Realm
from .domain.snapshot import realm_from_dict, realm_to_dict


def atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.realms_dir = directory / "realms"
        self.realms_dir.mkdir(parents=True, exist_ok=True)
        self.webhooks_file = directory / "webhooks.json"

    def save_realm(self, realm: Realm) -> None:
        body = json.dumps(realm_to_dict(realm), separators=(",", ":"))
        atomic_write(self.realms_dir / f"{realm.realm_id}.json", body)

    def load_realms(self, fault_seed: int = 0) -> list[Realm]:
        realms = []
        for path in sorted(self.realms_dir.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            realms.append(realm_from_dict(data, fault_seed))
        return realms

    def save_webhooks(self, events: list[ChangeEvent]) -> None:
        atomic_write(self.webhooks_file, json.dumps([asdict(e) for e in events]))

    def load_webhooks(self) -> list[ChangeEvent]:
        if not self.webhooks_file.exists():
            return []
        return [ChangeEvent(**e) for e in json.loads(self.webhooks_file.read_text("utf-8"))]
