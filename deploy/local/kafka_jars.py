"""The Kafka broker's jars: resolved by Maven from deploy/kafka/pom.xml (exact versions) and
verified against deploy/kafka/jars.sha256 before first use.

`python -m deploy.local.kafka_jars --write-checksums` (run by `make lock`) records the
SHA-256 of every jar Maven resolved; a jar that is missing, extra or different afterwards
fails `make jars` loudly.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
POM = REPO / "deploy" / "kafka" / "pom.xml"
CHECKSUMS = REPO / "deploy" / "kafka" / "jars.sha256"
DEFAULT_JARS = REPO / ".local" / "kafka-libs"


class JarChecksumMismatch(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(jars_dir: Path) -> dict[str, str]:
    return {jar.name: _sha256(jar) for jar in sorted(jars_dir.glob("*.jar"))}


def recorded(path: Path = CHECKSUMS) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            out[name] = digest
    return out


def mismatches(want: dict[str, str], have: dict[str, str]) -> list[str]:
    problems = [f"{n}: not resolved" for n in sorted(want.keys() - have.keys())]
    problems += [f"{n}: not in {CHECKSUMS.name}" for n in sorted(have.keys() - want.keys())]
    problems += [
        f"{n}: sha256 {have[n]} != recorded {want[n]}"
        for n in sorted(want.keys() & have.keys())
        if want[n] != have[n]
    ]
    return problems


def verify(jars_dir: Path, checksums: Path = CHECKSUMS) -> None:
    problems = mismatches(recorded(checksums), digests(jars_dir))
    if problems:
        raise JarChecksumMismatch(
            "Kafka jars differ from deploy/kafka/jars.sha256 (if pom.xml changed on purpose, "
            "run 'make lock'):\n  " + "\n  ".join(problems)
        )


def resolve(jars_dir: Path) -> None:
    if shutil.which("mvn") is None:
        raise RuntimeError("Maven (mvn) is required to fetch the Kafka broker jars")
    jars_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "--strict-checksums",  # Maven checks each download against the repository's hash
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={jars_dir}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )


def ensure_jars(jars_dir: Path = DEFAULT_JARS) -> Path:
    """Resolves and verifies the broker's jars once; later calls reuse the cache."""
    marker = jars_dir / ".complete"
    if marker.exists():
        return jars_dir
    resolve(jars_dir)
    verify(jars_dir)
    marker.touch()
    return jars_dir


def write_checksums(jars_dir: Path = DEFAULT_JARS) -> None:
    for jar in jars_dir.glob("*.jar"):
        jar.unlink()
    (jars_dir / ".complete").unlink(missing_ok=True)
    resolve(jars_dir)
    lines = [f"{digest}  {name}" for name, digest in digests(jars_dir).items()]
    header = "# SHA-256 of every jar deploy/kafka/pom.xml resolves; written by `make lock`.\n"
    CHECKSUMS.write_text(header + "\n".join(lines) + "\n")
    (jars_dir / ".complete").touch()
    print(f"recorded {len(lines)} jar checksums in {CHECKSUMS.relative_to(REPO)}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-checksums"]:
        raise SystemExit("usage: python -m deploy.local.kafka_jars --write-checksums")
    write_checksums()
