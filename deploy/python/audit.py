"""`make audit`: pip-audit over the locked requirements (PyPI's published advisories), with
the exceptions of deploy/python/audit-ignore.toml that have not expired.

Usage: python -m deploy.python.audit LOCKED_REQUIREMENTS_WITH_HASHES [--allow-unreachable]

Exit codes: 0 every package audited, nothing known; 1 a known vulnerability that is not
tolerated; 3 some packages could not be audited (the advisory service did not answer for
them). A package that was not audited is never reported as clean: 3 fails `make audit`
unless `--allow-unreachable` is given, which CI uses on networks that cannot reach PyPI's
JSON API, and then prints the unaudited packages loudly.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = Path(__file__).with_name("audit-ignore.toml")


@dataclass(frozen=True)
class Exception_:
    id: str
    package: str
    reason: str
    expires: dt.date


def load_ignores(path: Path = IGNORE_FILE) -> list[Exception_]:
    entries = tomllib.loads(path.read_text()).get("ignore", [])
    out = []
    for entry in entries:
        missing = {"id", "package", "reason", "expires"} - entry.keys()
        if missing:
            raise SystemExit(f"{path}: entry {entry} lacks {sorted(missing)}")
        if not isinstance(entry["expires"], dt.date):
            raise SystemExit(f"{path}: {entry['id']}: expires must be a date (YYYY-MM-DD)")
        out.append(Exception_(entry["id"], entry["package"], entry["reason"], entry["expires"]))
    return out


def active(ignores: list[Exception_], today: dt.date) -> list[Exception_]:
    return [i for i in ignores if i.expires >= today]


def command(requirements: Path, ignores: list[Exception_], report: Path) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(requirements),
        "--require-hashes",
        "--disable-pip",
        "--vulnerability-service",
        "pypi",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--output",
        str(report),
    ]
    for ignore in ignores:
        args += ["--ignore-vuln", ignore.id]
    return args


def verdict(report: dict[str, object], *, allow_unreachable: bool) -> int:
    dependencies = report.get("dependencies", [])
    assert isinstance(dependencies, list)
    vulnerable = [d for d in dependencies if d.get("vulns")]
    unaudited = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(unaudited)
    for dep in vulnerable:
        ids = ", ".join(v["id"] for v in dep["vulns"])
        print(f"VULNERABLE {dep['name']} {dep['version']}: {ids}")
    for dep in unaudited:
        print(f"NOT AUDITED {dep['name']} {dep.get('version', '?')}: {dep['skip_reason']}")
    print(f"audit: {audited} audited, {len(vulnerable)} vulnerable, {len(unaudited)} not audited")
    if vulnerable:
        return 1
    if unaudited:
        if allow_unreachable:
            print("WARNING: the advisory service did not answer for the packages above;")
            print("they were NOT audited (allowed by --allow-unreachable).")
            return 0
        return 3
    return 0


def main() -> int:
    today = dt.datetime.now(dt.UTC).date()
    ignores = load_ignores()
    for expired in (i for i in ignores if i.expires < today):
        print(f"audit-ignore entry {expired.id} ({expired.package}) expired {expired.expires}")
    kept = active(ignores, today)
    for ignore in kept:
        print(f"tolerated until {ignore.expires}: {ignore.id} ({ignore.package}): {ignore.reason}")
    report_path = Path(sys.argv[1]).with_suffix(".audit.json")
    run = subprocess.run(command(Path(sys.argv[1]), kept, report_path), check=False)
    if not report_path.exists():
        print(f"pip-audit failed (exit {run.returncode}) before writing a report")
        return 1
    report = json.loads(report_path.read_text())
    return verdict(report, allow_unreachable="--allow-unreachable" in sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
