"""Sentry down, hanging, rate-limiting or failing never fails or slows a request.

Five gunicorn servers of the app run side by side, identical but for their Sentry: a healthy
receiver (the baseline), a closed port, a server that accepts and never answers, one that answers
429 with Retry-After and one that answers 500. The same request mix goes to each in turn, and
every request sends Sentry an envelope (traces at 1.0, plus an error per round). Then we look at
what each server says in ``/metrics`` and what reached each Sentry.
"""

from __future__ import annotations

import os
import re
import signal
import time

import httpx
import pytest

from tests.faults.fleet import Fleet
from tests.faults.processes import children_of, wait_for_exit, wait_for_workers
from tests.support.sentry_receiver import (
    PROJECT_ID,
    PUBLIC_KEY,
    HangingServer,
    SentryReceiver,
    free_port,
)

pytestmark = pytest.mark.slow

WARMUP_ROUNDS = 3
ROUNDS = 50  # x 4 requests: the p99 is the 2nd slowest of 200
# "Within 10% of normal", plus 2 ms for the scheduler of a 2-core machine that also runs the
# client and the receivers. A request that waited for Sentry would take seconds.
P99_RATIO = 1.10
P99_SLACK_SECONDS = 0.002
FAULTS = ("down", "hanging", "rate_limited", "failing")
# Longer than this module runs: every envelope after the first falls in the window.
RETRY_AFTER_SECONDS = 600
DELIVERY_FAILURES = ("network_error", "queue_overflow", "ratelimit_backoff", "send_error")


def dsn_for_port(port: int) -> str:
    return f"http://{PUBLIC_KEY}@127.0.0.1:{port}/{PROJECT_ID}"


@pytest.fixture(scope="module")
def sentry_fleet(tmp_path_factory, server_database):
    tmp_path = tmp_path_factory.mktemp("sentry-faults")
    receivers = {
        "baseline": SentryReceiver("ok").start(),
        "rate_limited": SentryReceiver("429", retry_after=RETRY_AFTER_SECONDS).start(),
        "failing": SentryReceiver("500").start(),
    }
    hanging = HangingServer().start()
    dsns = {
        "baseline": receivers["baseline"].dsn,
        "down": dsn_for_port(free_port()),
        "hanging": dsn_for_port(hanging.port),
        "rate_limited": receivers["rate_limited"].dsn,
        "failing": receivers["failing"].dsn,
    }
    fleet = None
    started_at = time.monotonic()
    try:
        fleet = Fleet(tmp_path, server_database.url, dsns)
        fleet.receivers = receivers
        fleet.hanging = hanging
        fleet.started_at = started_at
        fleet.run(WARMUP_ROUNDS, record=False)
        fleet.p99 = fleet.measure(ROUNDS)
        fleet.remeasured = False
        yield fleet
    finally:
        if fleet is not None:
            fleet.stop()
        for receiver in receivers.values():
            receiver.stop()
        hanging.stop()


def within_bound(p99: dict[str, float], fault: str) -> bool:
    return p99[fault] <= p99["baseline"] * P99_RATIO + P99_SLACK_SECONDS


@pytest.mark.parametrize("fault", FAULTS)
def test_sentry_fault__no_request_fails_and_p99_stays_near_baseline(sentry_fleet, fault):
    fleet = sentry_fleet
    assert fleet.targets["baseline"].unexpected == []
    assert fleet.targets[fault].unexpected == []
    if not within_bound(fleet.p99, fault) and not fleet.remeasured:
        # One noisy run on a shared 2-core machine is not a verdict: measure as much again and
        # judge on both runs' samples together.
        fleet.remeasured = True
        fleet.p99 = fleet.measure(ROUNDS)
        assert fleet.targets[fault].unexpected == []
    ratio = fleet.p99[fault] / fleet.p99["baseline"]
    print(f"p99 {fault}: {fleet.p99[fault] * 1000:.1f} ms, baseline "
          f"{fleet.p99['baseline'] * 1000:.1f} ms, ratio {ratio:.3f}")  # fmt: skip
    assert within_bound(fleet.p99, fault), fleet.p99


def delivery(target) -> dict:
    return target.metrics()["sentry_delivery"]


def assert_reported_degraded(target, state: str, message: str) -> None:
    """/sentry/status and /health say what /metrics counts: events are not arriving."""
    status = target.client.get("/sentry/status").json()
    assert (status["status"], status["delivery"]["state"]) == ("degraded", state), status
    health = target.client.get("/health")
    assert health.status_code == 200  # the product still serves
    check = health.json()["checks"]["sentry_transport"]
    assert check["status"] == "degraded" and message in check["message"], check


def test_sentry_baseline__everything_delivered_nothing_dropped_for_failure(sentry_fleet):
    target = sentry_fleet.targets["baseline"]
    receiver = sentry_fleet.receivers["baseline"]
    deadline = time.monotonic() + 10
    while delivery(target)["send_attempts"].get("accepted", 0) < len(receiver.envelopes):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    block = delivery(target)
    assert set(block["send_attempts"]) == {"accepted"}
    assert block["send_attempts"]["accepted"] >= 4 * (ROUNDS + 3)
    assert not set(block["dropped_by_reason"]) & set(DELIVERY_FAILURES), block
    assert len(receiver.events) >= ROUNDS
    assert block["state"] == "ok"
    assert target.client.get("/sentry/status").json()["status"] == "active"
    assert target.client.get("/health").json()["checks"]["sentry_transport"]["status"] == "healthy"


def test_sentry_down__events_dropped_as_network_errors_and_counted(sentry_fleet):
    target = sentry_fleet.targets["down"]
    block = delivery(target)
    assert set(block["send_attempts"]) == {"network_error"}
    assert block["dropped_by_reason"]["network_error"] >= 4 * ROUNDS
    categories = {d["category"] for d in block["dropped"] if d["reason"] == "network_error"}
    assert {"error", "transaction"} <= categories
    text = target.prometheus_text()
    assert 'toolbox_sentry_events_dropped_total{category="error",reason="network_error"}' in text
    assert 'toolbox_sentry_send_attempts_total{outcome="network_error"}' in text
    assert_reported_degraded(target, "failing", "failed in a row")


def test_sentry_hanging__queue_bounded_overflow_counted_one_connection_per_attempt(
    sentry_fleet,
):
    target = sentry_fleet.targets["hanging"]
    health = target.client.get("/health").json()
    # The SDK's queue holds 100 envelopes at most: full, so /health says degraded...
    assert health["checks"]["sentry_transport"]["status"] == "degraded"
    assert re.fullmatch(
        r"event queue (9\d|100)% full", health["checks"]["sentry_transport"]["message"]
    )
    block = delivery(target)
    # ...and what did not fit is dropped and counted.
    assert block["dropped_by_reason"]["queue_overflow"] > 2 * ROUNDS
    categories = {d["category"] for d in block["dropped"] if d["reason"] == "queue_overflow"}
    assert {"error", "transaction"} <= categories
    # One sender thread, a 2 s timeout, no retry: one connection per attempt, one attempt
    # every 2 s at most (the one under way is not counted yet).
    attempts = block["send_attempts"].get("network_error", 0)
    connections = len(sentry_fleet.hanging.connections)
    assert connections in (attempts, attempts + 1), (connections, block)
    elapsed = time.monotonic() - sentry_fleet.started_at
    assert connections <= elapsed / 2 + 2, (connections, elapsed)
    assert "toolbox_sentry_events_dropped_total" in target.prometheus_text()


def test_sentry_rate_limited__one_request_then_backoff_counted(sentry_fleet):
    target = sentry_fleet.targets["rate_limited"]
    receiver = sentry_fleet.receivers["rate_limited"]
    # 429 with Retry-After on the first envelope: nothing more is sent within the window.
    assert receiver.requests == 1
    block = delivery(target)
    assert block["send_attempts"] == {"rate_limited": 1}
    assert block["dropped_by_reason"]["ratelimit_backoff"] >= 4 * ROUNDS
    text = target.prometheus_text()
    assert 'reason="ratelimit_backoff"' in text
    assert_reported_degraded(target, "rate_limited", "rate-limiting")


def test_sentry_failing__each_envelope_sent_once_and_counted(sentry_fleet):
    target = sentry_fleet.targets["failing"]
    receiver = sentry_fleet.receivers["failing"]
    # The sender may be between a request and its count: wait for the count to catch up.
    deadline = time.monotonic() + 10
    while (block := delivery(target))["send_attempts"] != {"rejected": receiver.requests}:
        assert time.monotonic() < deadline, (block, receiver.requests)
        time.sleep(0.1)
    assert receiver.requests >= 4 * ROUNDS  # every envelope tried: nothing queued up...
    assert block["dropped_by_reason"]["network_error"] >= 4 * ROUNDS  # ...once, then dropped
    assert_reported_degraded(target, "failing", "failed in a row")


def test_sentry_hanging__worker_restart_takes_under_a_second(sentry_fleet):
    """SIGTERM to a worker, and SIGHUP (reload) to the master, while Sentry hangs and the SDK's
    queue is full: the SDK's shutdown flush gives up after 0.5 s."""
    target = sentry_fleet.targets["hanging"]
    master = target.server.process.pid

    def fill_queue() -> None:
        for _ in range(120):
            assert target.client.get("/sentry/status").status_code == 200
        health = target.client.get("/health").json()
        assert health["checks"]["sentry_transport"]["status"] == "degraded"

    (worker,) = children_of(master)
    fill_queue()
    signalled = time.monotonic()
    os.kill(worker, signal.SIGTERM)
    sigterm_seconds = wait_for_exit({worker}, signalled)

    (worker,) = wait_for_workers(master, 1, exclude={worker})
    fill_queue()
    signalled = time.monotonic()
    os.kill(master, signal.SIGHUP)
    reload_seconds = wait_for_exit({worker}, signalled)
    wait_for_workers(master, 1, exclude={worker})
    print(f"worker exit: SIGTERM {sigterm_seconds:.3f} s, SIGHUP reload {reload_seconds:.3f} s")
    assert sigterm_seconds < 1.0
    assert reload_seconds < 1.0
    assert httpx.get(target.server.url + "/sentry/status", timeout=10).status_code == 200
