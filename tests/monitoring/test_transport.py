"""The transport: one attempt per envelope, and every lost item counted by reason and category.

The fault tests under gunicorn (tests/faults/test_sentry_faults.py) show the same end to end;
here we count connection attempts, which a closed port cannot do for us.
"""

from __future__ import annotations

import pytest
import sentry_sdk
import urllib3
from sentry_sdk.envelope import Item, PayloadRef

from monitoring.metrics.registry import SENTRY_EVENTS_DROPPED, SENTRY_SEND_ATTEMPTS
from monitoring.transport import count_lost, send_outcome
from tests.support.sentry_receiver import PROJECT_ID, PUBLIC_KEY, SentryReceiver, free_port

pytestmark = pytest.mark.django_db


def dropped(reason: str, category: str) -> float:
    return SENTRY_EVENTS_DROPPED.labels(reason, category)._value.get()


def attempts(outcome: str) -> float:
    return SENTRY_SEND_ATTEMPTS.labels(outcome)._value.get()


@pytest.fixture
def connection_attempts(monkeypatch) -> list[int]:
    """The port of every TCP connection urllib3 opens (retries included)."""
    ports: list[int] = []
    new_conn = urllib3.connection.HTTPConnection._new_conn

    def counting(self):
        ports.append(self.port)
        return new_conn(self)

    monkeypatch.setattr(urllib3.connection.HTTPConnection, "_new_conn", counting)
    return ports


def test_transport__closed_port__one_connection_attempt_per_envelope(
    configure_sentry, connection_attempts
):
    port = free_port()
    configure_sentry(
        "production", dsn=f"http://{PUBLIC_KEY}@127.0.0.1:{port}/{PROJECT_ID}", traces_sample_rate=0
    )
    errors_before = dropped("network_error", "error")
    attempts_before = attempts("network_error")
    for number in range(5):
        sentry_sdk.capture_message(f"Sentry is down {number}", level="error")
    sentry_sdk.flush(timeout=5)

    tried = attempts("network_error") - attempts_before
    assert tried >= 5  # the five events, and the client report that says they were lost
    # Without our retry policy urllib3 would connect 4 times per envelope.
    assert connection_attempts.count(port) == tried
    assert dropped("network_error", "error") - errors_before == 5


def test_transport__rate_limited__backs_off_and_counts(configure_sentry):
    receiver = SentryReceiver("429", retry_after=60).start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)
        backoff_before = dropped("ratelimit_backoff", "error")
        limited_before = attempts("rate_limited")
        sentry_sdk.capture_message("first: answered 429", level="error")
        sentry_sdk.flush(timeout=5)
        for number in range(10):
            sentry_sdk.capture_message(f"within the window {number}", level="error")
        sentry_sdk.flush(timeout=5)
        assert receiver.requests == 1
        assert attempts("rate_limited") - limited_before == 1
        assert dropped("ratelimit_backoff", "error") - backoff_before == 10
    finally:
        receiver.stop()


def test_transport__delivered__counted_as_accepted(sentry_receiver):
    before = attempts("accepted")
    sentry_sdk.capture_message("delivered", level="error")
    sentry_sdk.flush(timeout=5)
    assert sentry_receiver.events
    assert attempts("accepted") - before == len(sentry_receiver.envelopes)


def test_count_lost__items_counted_by_category_never_bytes():
    logs = Item(PayloadRef(json={"items": [{}, {}, {}]}), type="log", headers={"item_count": 3})
    before = (dropped("queue_overflow", "log_item"), dropped("queue_overflow", "log_byte"))
    count_lost("queue_overflow", None, logs, 1)
    count_lost("queue_overflow", "log_byte", None, 4096)
    after = (dropped("queue_overflow", "log_item"), dropped("queue_overflow", "log_byte"))
    assert after[0] - before[0] == 3
    assert after[1] == before[1]

    spans_before = dropped("sample_rate", "span")
    count_lost("sample_rate", "span", None, 7)
    assert dropped("sample_rate", "span") - spans_before == 7


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "accepted"),
        (202, "accepted"),
        (429, "rate_limited"),
        (413, "rejected"),
        (500, "rejected"),
    ],
)
def test_send_outcome(status, outcome):
    assert send_outcome(status) == outcome


def test_metrics__sentry_delivery_block_in_json_and_prometheus_text(client, configure_sentry):
    port = free_port()
    configure_sentry(
        "development",
        dsn=f"http://{PUBLIC_KEY}@127.0.0.1:{port}/{PROJECT_ID}",
        traces_sample_rate=0,
    )
    sentry_sdk.capture_message("lost on the way", level="error")
    sentry_sdk.flush(timeout=5)
    block = client.get("/metrics").json()["sentry_delivery"]
    assert block["send_attempts"]["network_error"] >= 1
    assert block["dropped_by_reason"]["network_error"] >= 1
    assert any(
        (entry["reason"], entry["category"]) == ("network_error", "error") and entry["count"] >= 1
        for entry in block["dropped"]
    )
    text = client.get("/metrics", headers={"Accept": "text/plain"}).content.decode()
    assert 'toolbox_sentry_events_dropped_total{category="error",reason="network_error"}' in text
    assert 'toolbox_sentry_send_attempts_total{outcome="network_error"}' in text
