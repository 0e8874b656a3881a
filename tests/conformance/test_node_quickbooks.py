"""node-quickbooks (npm), driven from pytest: `npm ci` from the committed lock file (once per
lock-file change; a missing or unreachable npm fails the test), then `node conformance.js`."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

NODE_DIR = Path(__file__).parent / "node"
STAMP = NODE_DIR / "node_modules" / ".installed-lock-sha256"
CHECKS = 6


def ensure_node_modules() -> None:
    """Idempotent `npm ci`: skipped when node_modules was installed from this very lock."""
    lock = hashlib.sha256((NODE_DIR / "package-lock.json").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == lock:
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("node and npm are required for the node-quickbooks conformance suite")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"npm ci failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    STAMP.write_text(lock)


def test_node_quickbooks_against_the_sandbox(company: dict[str, Any]) -> None:
    ensure_node_modules()
    env = {
        **os.environ,
        "QBO_BASE_URL": company["base_url"],
        "QBO_CLIENT_ID": company["client_id"],
        "QBO_CLIENT_SECRET": company["client_secret"],
        "QBO_REALM_ID": company["realm_id"],
        "QBO_REFRESH_TOKEN": company["refresh_token"],
        "QBO_ITEM_ID": company["items"][0]["Id"],
        "QBO_CUSTOMER_ID": company["customers"][0]["Id"],
    }
    done = subprocess.run(
        ["node", "conformance.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    passed = [line for line in done.stdout.splitlines() if line.startswith("ok - ")]
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert len(passed) == CHECKS, done.stdout
