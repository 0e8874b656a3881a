"""CPU time and memory of processes from /proc (Linux; no psutil needed)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    # Field 2 (comm) may contain spaces; everything after the last ")" is split safely.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """utime + stime (fields 14, 15); with `children`, plus reaped children's (16, 17)."""
    f = _stat_fields(pid)
    ticks = int(f[11]) + int(f[12])
    if children:
        ticks += int(f[13]) + int(f[14])
    return ticks / CLK_TCK


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid: int) -> bool:
    """Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0, own/root)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def postgres_cpu_seconds(postmaster_pid: int) -> float:
    """The postmaster (with its reaped backends) plus every live child process."""
    total = cpu_seconds(postmaster_pid, children=True)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            f = _stat_fields(int(entry.name))
            if int(f[1]) == postmaster_pid:
                total += (int(f[11]) + int(f[12])) / CLK_TCK
    return total


@dataclass
class ProcSample:
    cpu: float
    rss_kib: int


class ProcMeter:
    """CPU seconds and peak RSS of one process over a measured workload."""

    def __init__(self, name: str, pid: int, *, postgres: bool = False) -> None:
        self.name = name
        self.pid = pid
        self.postgres = postgres
        self._cpu0 = 0.0
        self.hwm_reset = False
        self.rss_before_kib = 0

    def _cpu(self) -> float:
        return postgres_cpu_seconds(self.pid) if self.postgres else cpu_seconds(self.pid)

    def start(self) -> None:
        self._cpu0 = self._cpu()
        if not self.postgres:
            self.rss_before_kib = status_kib(self.pid, "VmRSS")
            self.hwm_reset = reset_peak_rss(self.pid)

    def stop(self) -> dict[str, object]:
        result: dict[str, object] = {"process": self.name, "cpu_seconds": self._cpu() - self._cpu0}
        if not self.postgres:
            result.update(
                rss_before_mib=round(self.rss_before_kib / 1024, 1),
                rss_after_mib=round(status_kib(self.pid, "VmRSS") / 1024, 1),
                peak_rss_mib=round(status_kib(self.pid, "VmHWM") / 1024, 1),
                peak_is_since_start=not self.hwm_reset,
            )
        return result
