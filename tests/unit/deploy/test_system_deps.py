"""`make up` needs no browser; `make test` (and --browser) adds Chromium for the browser test.

Runs deploy/local/system-deps.sh under a real `make` with --dry-run and a Chromium path that
does not exist, so it reports instead of installing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "deploy" / "local" / "system-deps.sh"
ENV = {**os.environ, "CHROMIUM_BIN": "/nonexistent/chromium"}
ENV.pop("SYSTEM_DEPS_BROWSER", None)
ENV.pop("MAKEFLAGS", None)


def _under_make(tmp_path: Path, goal: str) -> str:
    (tmp_path / "Makefile").write_text(
        f"up:\n\tbash {SCRIPT} --dry-run\ntest:\n\tbash {SCRIPT} --dry-run\n"
    )
    done = subprocess.run(
        ["make", "-s", goal], cwd=tmp_path, env=ENV, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_up_does_not_ask_for_chromium_but_make_test_does(tmp_path: Path) -> None:
    assert "chromium" not in _under_make(tmp_path, "up")
    assert "would install: chromium" in _under_make(tmp_path, "test")


def test_browser_flag_asks_for_chromium_and_plain_run_does_not() -> None:
    def run(*args: str) -> str:
        done = subprocess.run(
            ["bash", str(SCRIPT), *args], env=ENV, capture_output=True, text=True, check=True
        )
        return done.stdout

    assert "chromium" not in run("--dry-run")
    assert "would install: chromium" in run("--browser", "--dry-run")
