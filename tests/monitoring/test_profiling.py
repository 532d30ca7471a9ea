"""Continuous profiling end to end, in a process of its own: the sampling profiler can crash a
CPython 3.11 process (monitoring.conf.PROFILER_SAFE_PYTHON), which must not take the suite down.

The process starts the app as a worker does (Django setup initialises Sentry from the
environment), runs one sampled transaction of ~0.3 s of work, and flushes; profile chunks reach
the loopback receiver only where profiling is on.
"""

from __future__ import annotations

import pytest

from monitoring.conf import profiler_is_safe
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import run_python

WORKER = """
import time

import django

django.setup()
import sentry_sdk

with sentry_sdk.start_transaction(name="profiled work", op="task"):
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        sum(i * i for i in range(1000))
time.sleep(0.2)  # the profiler stops (and sends its chunk) once no transaction is running
sentry_sdk.flush(timeout=5)
"""

WARNING = "SENTRY_PROFILES_SAMPLE_RATE turns profiling on, which can crash a worker with SIGSEGV"


def run_worker(**environ: str) -> tuple[SentryReceiver, str]:
    receiver = SentryReceiver().start()
    try:
        result = run_python(WORKER, SENTRY_DSN=receiver.dsn, LOG_FILE="", **environ)
        assert result.returncode == 0, result.stderr[-3000:]
        receiver.wait_for(lambda r: r.transactions)
    finally:
        receiver.stop()
    return receiver, result.stderr


@pytest.mark.slow
def test_profiling__switched_on__chunks_arrive_with_the_transaction():
    receiver, log = run_worker(SENTRY_PROFILES_SAMPLE_RATE="1.0")
    [transaction] = receiver.transactions
    chunks = receiver.items("profile_chunk")
    assert chunks, "no profile chunk arrived"
    chunk = chunks[0]
    assert chunk["platform"] == "python"
    assert chunk["release"] == transaction["release"]
    assert chunk["environment"] == "development"
    assert chunk["profile"]["samples"]  # it sampled the work
    # The transaction names the profiler session its time belongs to.
    assert transaction["contexts"]["profile"]["profiler_id"] == chunk["profiler_id"]
    assert (WARNING in log) is not profiler_is_safe()


@pytest.mark.slow
def test_profiling__by_default__only_where_the_profiler_is_safe():
    receiver, log = run_worker()
    assert receiver.transactions
    assert bool(receiver.items("profile_chunk")) is profiler_is_safe()
    assert WARNING not in log
