"""What is left of a dead gunicorn worker's metric files (``gunicorn.conf.py``'s ``child_exit``).

Run in gunicorn's master, which has not loaded the app: this module imports nothing of it (the
metrics of ``monitoring.metrics`` would create files of the master's own on import).

prometheus-client removes a dead worker's live gauges (``mark_process_dead``) and keeps the rest:
its counters and histograms must keep adding to the fleet's totals, and a ``max`` gauge such as
Sentry's last successful send must keep its value. But each worker gone leaves its own
``gauge_max_<pid>.db``, and ``/health`` and ``/sentry/status`` read every one of those on every
call (``monitoring.metrics.delivery``): with twenty workers gone, a probe read 22 files, ~4x the
time of two (~750 µs against ~175 on our 2-core VM). The values of the gauges whose merge is a
maximum, a minimum or the most recent are folded into one file per mode (``gauge_max_retired.db``),
written by the master alone, whole under another name and then renamed over the old one; the dead
worker's file is removed after. A reader between the two sees the value in both files, which gives
the same merge: such folding never changes what a scrape or a probe reports.

Counters and histograms are not folded: a reader between the fold and the removal would count the
dead worker twice, then once, and a counter that goes down is a reset to Prometheus.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from prometheus_client import multiprocess
from prometheus_client.mmap_dict import MmapedDict

# In place of a worker's pid in the file name: prometheus-client's reader takes what is there.
RETIRED = "retired"

logger = logging.getLogger(__name__)

Pair = tuple[float, float]  # (value, timestamp)


# Modes whose merge reading the same value twice leaves unchanged: which of two (value,
# timestamp) pairs the folded file keeps.
FOLDED_MODES: dict[str, Callable[[Pair, Pair], bool]] = {
    "max": lambda candidate, kept: candidate[0] > kept[0],
    "min": lambda candidate, kept: candidate[0] < kept[0],
    "mostrecent": lambda candidate, kept: candidate[1] > kept[1],
}


def retire_worker(pid: int, directory: str) -> None:
    """The bookkeeping for worker ``pid`` that has exited, its files in ``directory``."""
    multiprocess.mark_process_dead(pid, directory)
    for mode, keeps in FOLDED_MODES.items():
        dead = os.path.join(directory, f"gauge_{mode}_{pid}.db")
        if not os.path.exists(dead):
            continue
        try:
            _fold(dead, os.path.join(directory, f"gauge_{mode}_{RETIRED}.db"), keeps)
        except Exception:  # a file torn by a worker killed mid-write: keep it, as before
            logger.warning("metrics of worker %s not folded: %s kept", pid, dead, exc_info=True)
            continue
        os.remove(dead)


def _fold(dead: str, retired: str, keeps: Callable[[Pair, Pair], bool]) -> None:
    kept: dict[str, Pair] = {}
    for path in (retired, dead):
        if not os.path.exists(path):
            continue
        for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(path):
            old = kept.get(key)
            if old is None or keeps((value, timestamp), old):
                kept[key] = (value, timestamp)
    # Written whole under a name no reader globs (*.db), then renamed: a reader sees the old
    # file or the new one, never one being written (whose new keys read 0 at first).
    partial = f"{retired}.{os.getpid()}.partial"
    try:
        folded = MmapedDict(partial)
        try:
            for key, (value, timestamp) in kept.items():
                folded.write_value(key, value, timestamp)
        finally:
            folded.close()
        os.replace(partial, retired)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
