"""Figures of the process that answers: uptime, memory, CPU, versions."""

from __future__ import annotations

import os
import platform
import resource
import time

import django

PROCESS_STARTED_AT = time.time()


def resident_memory_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        # ru_maxrss is the peak, in KiB on Linux: the best figure where /proc is missing.
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def process_figures() -> dict[str, object]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "pid": os.getpid(),
        "uptime_seconds": round(time.time() - PROCESS_STARTED_AT, 3),
        "resident_memory_bytes": resident_memory_bytes(),
        "cpu_seconds": {"user": round(usage.ru_utime, 3), "system": round(usage.ru_stime, 3)},
        "python_version": platform.python_version(),
        "django_version": django.get_version(),
    }
