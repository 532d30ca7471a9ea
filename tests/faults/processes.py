"""Process helpers for gunicorn fault tests: a master's workers, and when a process has ended."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return text[text.rindex(")") + 2 :].split()


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def has_exited(pid: int) -> bool:
    """Gone, or a zombie: it has finished running, whether or not its parent reaped it yet."""
    fields = _stat_fields(pid)
    return fields is None or fields[0] in ("Z", "X")


def wait_for_exit(pids: set[int], since: float, timeout: float = 10.0) -> float:
    """Seconds from ``since`` (a ``time.monotonic()``) until every pid has exited."""
    deadline = since + timeout
    while not all(has_exited(pid) for pid in pids):
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {pids} still running after {timeout} s")
        time.sleep(0.005)
    return time.monotonic() - since


def wait_for_workers(master: int, count: int, exclude: set[int] = frozenset(), timeout=15.0):
    """The master's ``count`` live workers other than ``exclude``, once they are all there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = children_of(master) - set(exclude)
        if len(workers) >= count:
            return workers
        time.sleep(0.02)
    raise AssertionError(f"gunicorn {master} did not get {count} new worker(s) in {timeout} s")
