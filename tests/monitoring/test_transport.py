"""The transport: one attempt per envelope, and every lost item counted by reason and category.

The fault tests under gunicorn (tests/faults/test_sentry_faults.py) show the same end to end;
here we count connection attempts, which a closed port cannot do for us.
"""

from __future__ import annotations

import http.client
import ssl

import pytest
import sentry_sdk
import trustme
import urllib3
from sentry_sdk.envelope import Item, PayloadRef

from monitoring.metrics.registry import SENTRY_EVENTS_DROPPED, SENTRY_SEND_ATTEMPTS
from monitoring.transport import MAX_ANSWER_BYTES, SentryConnection, count_lost, send_outcome
from tests.support.sentry_receiver import PROJECT_ID, PUBLIC_KEY, SentryReceiver, free_port

pytestmark = pytest.mark.django_db


def dropped(reason: str, category: str) -> float:
    return SENTRY_EVENTS_DROPPED.labels(reason, category)._value.get()


def attempts(outcome: str) -> float:
    return SENTRY_SEND_ATTEMPTS.labels(outcome)._value.get()


@pytest.fixture
def connection_attempts(monkeypatch) -> list[int]:
    """The port of every TCP connection the transport opens (urllib3's included)."""
    ports: list[int] = []
    connect = http.client.HTTPConnection.connect
    new_conn = urllib3.connection.HTTPConnection._new_conn

    def counting(self):
        ports.append(self.port)
        return connect(self)

    def counting_urllib3(self):
        ports.append(self.port)
        return new_conn(self)

    monkeypatch.setattr(http.client.HTTPConnection, "connect", counting)
    monkeypatch.setattr(urllib3.connection.HTTPConnection, "_new_conn", counting_urllib3)
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


def send_messages(count: int, prefix: str) -> None:
    for number in range(count):
        sentry_sdk.capture_message(f"{prefix} {number}", level="error")
    sentry_sdk.flush(timeout=5)


def test_transport__many_envelopes__one_kept_alive_connection(configure_sentry):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)
        send_messages(20, "kept alive")
        assert len(receiver.events) == 20
        assert receiver.connections == 1
    finally:
        receiver.stop()


def test_transport__sentry_closed_the_idle_connection__next_envelope_on_a_new_one(
    configure_sentry,
):
    """A Sentry (or a load balancer) that closes idle connections without saying so: the next
    envelope must not be lost to the dead socket."""
    receiver = SentryReceiver(close_after_answer=True).start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)
        lost_before = attempts("network_error")
        for number in range(1, 6):
            send_messages(1, f"after an idle close {number}")
            receiver.wait_for(lambda r, n=number: r.closed_connections >= n)
        assert len(receiver.events) == 5
        assert receiver.connections == 5
        assert attempts("network_error") == lost_before
    finally:
        receiver.stop()


def test_transport__an_endless_answer__read_up_to_the_cap_and_the_connection_dropped(
    configure_sentry,
):
    """A DSN pointing at something that is not Sentry: an 8 MB answer to each envelope costs
    the sender thread 64 KiB, and the next envelope goes on a fresh connection."""
    receiver = SentryReceiver(answer_padding=8 * 1024 * 1024).start()
    try:
        connection = SentryConnection(f"http://127.0.0.1:{receiver.port}/", 5, None)
        body = b'{}\n{"type":"event","length":2}\n{}\n'
        url = f"http://127.0.0.1:{receiver.port}/api/{PROJECT_ID}/envelope/"
        response = connection.request("POST", url, body)
        assert response.status == 200
        assert len(response.data) == MAX_ANSWER_BYTES
        assert connection._connection is None  # the rest was left unread, with its socket

        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)
        lost_before, events_before = attempts("network_error"), len(receiver.events)
        send_messages(3, "endless answer")
        assert len(receiver.events) == events_before + 3
        assert attempts("network_error") == lost_before
        assert receiver.connections == 1 + 3
    finally:
        receiver.stop()


@pytest.fixture
def tls_receiver(tmp_path):
    """A receiver serving HTTPS with a certificate of a throwaway CA, and that CA's file."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    receiver = SentryReceiver(tls=context).start()
    yield receiver, ca_file
    receiver.stop()


def test_transport__https__delivers_to_a_certificate_the_bundle_trusts(
    configure_sentry, tls_receiver, monkeypatch
):
    receiver, ca_file = tls_receiver
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # as the SDK: ca_certs, then this
    configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)
    assert receiver.dsn.startswith("https://")
    send_messages(3, "over TLS")
    assert len(receiver.events) == 3
    assert receiver.connections == 1


def test_transport__https__refuses_a_certificate_it_cannot_verify(
    configure_sentry, tls_receiver, monkeypatch
):
    receiver, _ = tls_receiver
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)
    errors_before = dropped("network_error", "error")
    send_messages(2, "to an unknown certificate")
    assert receiver.events == []
    assert dropped("network_error", "error") - errors_before == 2


def test_transport__proxy_configured__sends_through_it(configure_sentry, monkeypatch):
    """Proxies stay urllib3's job: with HTTP_PROXY set, envelopes go to the proxy."""
    proxy = SentryReceiver().start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        unreachable = f"http://{PUBLIC_KEY}@sentry.invalid:{free_port()}/{PROJECT_ID}"
        configure_sentry("production", dsn=unreachable, traces_sample_rate=0)
        send_messages(2, "through the proxy")
        assert len(proxy.events) == 2
        assert proxy.envelopes[0].path.startswith("http://sentry.invalid:")
    finally:
        proxy.stop()


def test_transport__envelopes_compressed_with_brotli_quality_1(sentry_receiver):
    """The cheapest compression in CPU per envelope (bench/README.md), and one Sentry reads."""
    sentry_sdk.capture_message("compressed", level="error")
    sentry_sdk.flush(timeout=5)
    (envelope,) = sentry_receiver.envelopes
    assert envelope.request_headers["Content-Encoding"] == "br"
    transport = sentry_sdk.get_client().transport
    assert (transport._compression_algo, transport._compression_level) == ("br", 1)


def test_transport__unreadable_ca_bundle__the_app_runs_and_the_loss_is_counted(
    configure_sentry, tls_receiver, monkeypatch, tmp_path
):
    receiver, _ = tls_receiver
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0)  # does not raise
    assert sentry_sdk.get_client().is_active()
    errors_before = dropped("network_error", "error")
    send_messages(1, "with a CA bundle that is not there")
    assert receiver.events == []
    assert dropped("network_error", "error") - errors_before == 1
