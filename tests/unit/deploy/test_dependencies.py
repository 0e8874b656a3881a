"""The install path is locked and audited: uv.lock agrees with pyproject.toml, the
virtualenv holds exactly the locked versions, the SBOM lists every locked package, the
audit's verdict never calls an unaudited package clean, and the Kafka jars are verified."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from deploy.local import kafka_jars
from deploy.python import audit, verify_env

REPO = Path(__file__).resolve().parents[3]
UV = REPO / ".local" / "uv" / "bin" / "uv"


def _uv(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    assert UV.exists(), "run `make setup` first: uv is installed from deploy/python/bootstrap.txt"
    return subprocess.run(
        [str(UV), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def _locked_packages() -> set[str]:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    return {p["name"] for p in lock["package"]}


def test_the_lock_agrees_with_pyproject() -> None:
    result = _uv("lock", "--check")
    assert result.returncode == 0, result.stderr


def test_a_changed_range_without_relocking_is_refused(tmp_path: Path) -> None:
    for name in ("pyproject.toml", "uv.lock", "README.md"):
        shutil.copy(REPO / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"tenacity>=9,<10"', '"tenacity>=9.1,<10"'))
    result = _uv("lock", "--check", cwd=tmp_path)
    assert result.returncode != 0
    assert "needs to be updated" in result.stderr


def test_the_virtualenv_holds_exactly_the_locked_versions(tmp_path: Path) -> None:
    exported = tmp_path / "locked.txt"
    result = _uv(
        "export", "-q", "--frozen", "--extra", "dev", "--no-emit-project", "--no-hashes",
        "--format", "requirements.txt", "-o", str(exported),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    want = verify_env.locked(exported)
    assert verify_env.differences(want, verify_env.installed()) == []
    assert verify_env.differences(want, {**want, "tenacity": "0.0.1"}) == [
        "tenacity: locked " + want["tenacity"] + ", installed 0.0.1"
    ]


def test_sbom_lists_every_locked_package(tmp_path: Path) -> None:
    sbom = tmp_path / "sbom.cdx.json"
    result = _uv("export", "-q", "--frozen", "--extra", "dev", "--format", "cyclonedx1.5",
                 "-o", str(sbom))  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(sbom.read_text())
    assert document["bomFormat"] == "CycloneDX"
    listed = {c["name"] for c in document["components"]}
    listed.add(document["metadata"]["component"]["name"])
    assert _locked_packages() <= listed


def _report(*deps: dict[str, object]) -> dict[str, object]:
    return {"dependencies": list(deps)}


def test_audit_fails_on_a_vulnerability_and_never_calls_unaudited_clean() -> None:
    clean = {"name": "a", "version": "1", "vulns": []}
    vulnerable = {"name": "b", "version": "2", "vulns": [{"id": "PYSEC-1"}]}
    skipped = {"name": "c", "skip_reason": "Dependency not found on PyPI"}
    assert audit.verdict(_report(clean), allow_unreachable=False) == 0
    assert audit.verdict(_report(clean, vulnerable), allow_unreachable=True) == 1
    assert audit.verdict(_report(clean, skipped), allow_unreachable=False) == 3
    assert audit.verdict(_report(clean, skipped), allow_unreachable=True) == 0


def test_audit_ignores_need_a_reason_and_expire(tmp_path: Path) -> None:
    ignores = tmp_path / "ignore.toml"
    ignores.write_text(
        '[[ignore]]\nid = "PYSEC-1"\npackage = "b"\nreason = "unreachable"\nexpires = 2026-01-31\n'
    )
    [entry] = audit.load_ignores(ignores)
    assert audit.active([entry], dt.date(2026, 1, 31)) == [entry]
    assert audit.active([entry], dt.date(2026, 2, 1)) == []
    ignores.write_text('[[ignore]]\nid = "PYSEC-1"\npackage = "b"\nexpires = 2026-01-31\n')
    with pytest.raises(SystemExit, match="reason"):
        audit.load_ignores(ignores)
    assert audit.load_ignores() is not None  # the committed file parses


def test_kafka_jars_are_checked_against_recorded_checksums(tmp_path: Path) -> None:
    want = kafka_jars.recorded()
    assert any(name.startswith("kafka_2.13-") for name in want)
    jar = tmp_path / "kafka-clients-4.1.1.jar"
    jar.write_bytes(b"not the real jar")
    problems = kafka_jars.mismatches(want, kafka_jars.digests(tmp_path))
    assert any(p.startswith("kafka-clients-4.1.1.jar: sha256") for p in problems)
    assert any(p.endswith("not resolved") for p in problems)


def test_every_pom_dependency_has_an_exact_version() -> None:
    pom = (REPO / "deploy" / "kafka" / "pom.xml").read_text()
    assert "[" not in pom and "LATEST" not in pom and "RELEASE" not in pom
