"""`make demo`, `make demo KEEP=1` and `make seed` run the scripts they promise (make -n
prints the commands without running them)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def _commands(*args: str) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if "-m deploy.local." in line]


def test_demo_stops_the_stack_unless_keep_is_given() -> None:
    assert _commands("demo") == [".venv/bin/python -m deploy.local.demo "]
    assert _commands("demo", "KEEP=1") == [".venv/bin/python -m deploy.local.demo --keep"]


def test_seed_runs_the_seed_script_for_the_tenant_given() -> None:
    assert _commands("seed") == [".venv/bin/python -m deploy.local.seed "]
    assert _commands("seed", "TENANT=globex") == [
        ".venv/bin/python -m deploy.local.seed --tenant globex"
    ]


def test_the_demo_script_accepts_keep() -> None:
    with_keep = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-m", "deploy.local.demo", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--keep" in with_keep and "make down" in with_keep
