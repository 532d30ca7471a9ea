"""CPU cost of a call, for the tests that guard against pathological (super-linear) work.

Wall-clock time in a long suite also counts garbage collection of everything earlier tests left
behind, other threads holding the GIL (the SDK's sender and profiler) and other processes on the
machine: one 0.5 s bound failed in CI at 28x the call's usual cost. These guards care about the
work the call itself does, so they count this thread's CPU, with the collector paused, and keep
the cheapest of a few tries.
"""

from __future__ import annotations

import copy
import gc
import time
from collections.abc import Callable
from typing import Any


def cpu_seconds(
    function: Callable[..., Any], *args: Any, tries: int = 3, copy_args: bool = False
) -> tuple[Any, float]:
    """(the call's result, the fewest CPU seconds this thread spent on it in `tries` calls).
    With `copy_args`, each call gets its own deep copy of the arguments (not counted), for
    functions that change them."""
    best = float("inf")
    result: Any = None
    enabled = gc.isenabled()
    for _ in range(tries):
        call_args = copy.deepcopy(args) if copy_args else args
        gc.collect()
        gc.disable()
        try:
            started = time.thread_time()
            result = function(*call_args)
            best = min(best, time.thread_time() - started)
        finally:
            if enabled:
                gc.enable()
    return result, best
