"""CPU and memory of processes: the server's from /proc, the harness's own from getrusage."""

import os
import resource
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcSample:
    """One reading of a process: CPU seconds used so far (user + system, all threads), its
    resident memory now and its peak resident memory since it started (VmHWM), in MiB."""

    cpu_s: float
    rss_mib: float
    peak_rss_mib: float


def sample_process(pid: int) -> ProcSample:
    """Read `/proc/<pid>/stat` and `/proc/<pid>/status`; raises OSError if the process is gone."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        fields = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    memory: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                memory[key] = int(value.split()[0]) / 1024
    return ProcSample(
        cpu_s=(utime + stime) / CLOCK_TICKS,
        rss_mib=memory.get("VmRSS", 0.0),
        peak_rss_mib=memory.get("VmHWM", 0.0),
    )


def own_cpu_seconds() -> float:
    """CPU seconds this process has used (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have spent busy (not idle or waiting on I/O),
    summed over its CPUs, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def load_average() -> float:
    """The machine's 1-minute load average."""
    with open("/proc/loadavg") as loadavg:
        return float(loadavg.read().split()[0])
