"""Checks that the virtualenv holds exactly the locked packages: `pip freeze` against the
requirements `uv export` writes from uv.lock (markers evaluated for this machine).

Usage: python -m deploy.python.verify_env LOCKED_REQUIREMENTS
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def locked(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        [spec] = requirement.specifier
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def installed() -> dict[str, str]:
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins = {}
    for line in frozen.splitlines():
        name, _, version = line.partition("==")
        if version:
            pins[canonicalize_name(name)] = version
    return pins


def differences(want: dict[str, str], have: dict[str, str]) -> list[str]:
    out = []
    for name in sorted(want.keys() | have.keys()):
        if want.get(name) != have.get(name):
            out.append(f"{name}: locked {want.get(name, '-')}, installed {have.get(name, '-')}")
    return out


def main() -> int:
    problems = differences(locked(Path(sys.argv[1])), installed())
    if problems:
        print("the virtualenv differs from uv.lock (run 'make setup'):", *problems, sep="\n  ")
        return 1
    print(f"virtualenv matches uv.lock ({len(installed())} packages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
