"""Collects one row per fault scenario; printed as a table at the end of the run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScenarioRow:
    scenario: str
    units: int
    disruptions: str
    results: int
    lost: int
    duplicates: int
    extra: str
    passed: bool


ROWS: list[ScenarioRow] = []


def render() -> str:
    header = ("scenario", "units", "disruptions", "results", "lost", "dup", "notes", "ok")
    rows = [
        (
            r.scenario,
            str(r.units),
            r.disruptions,
            str(r.results),
            str(r.lost),
            str(r.duplicates),
            r.extra,
            "PASS" if r.passed else "FAIL",
        )
        for r in ROWS
    ]
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*header), line.format(*("-" * w for w in widths))]
    out += [line.format(*r) for r in rows]
    return "\n".join(out)
