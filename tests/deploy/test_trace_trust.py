"""A client may not decide that its requests are traced (quota and CPU are ours to spend).

Against a real gunicorn server reporting to a loopback Sentry receiver at a tiny rate: requests
that force a decision (``-1`` in ``sentry-trace``, ``sample_rand=0`` in ``baggage``, or a trace id
picked so that the SDK's derived ``sample_rand`` is tiny) must be sampled at our rate, i.e. never;
the same request from a trusted network is traced.
"""

from __future__ import annotations

import itertools
import secrets
from random import Random

import pytest

from monitoring.tracing import untrusted_trace_headers
from tests.support.deploy import strong_secret_key
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.slow

RATE = 0.0001
ATTACKS = 20


def trace_id_with_tiny_sample_rand() -> str:
    """A trace id for which the SDK would derive sample_rand < RATE (its RNG is seeded with the
    trace id): about 10,000 tries, milliseconds of an attacker's time."""
    for attempt in itertools.count():
        trace_id = f"{attempt:032x}"
        if Random(trace_id).randrange(0, 1_000_000) < RATE * 1_000_000:
            return trace_id
    raise AssertionError("unreachable")


def forced(trace_id: str, client: str, *, flag: str = "-1", baggage: bool = True) -> dict:
    headers = {
        "sentry-trace": f"{trace_id}-{secrets.token_hex(8)}{flag}",
        "X-Forwarded-For": client,
    }
    if baggage:
        headers["baggage"] = (
            f"sentry-trace_id={trace_id},sentry-sample_rand=0.000000,sentry-sample_rate=1.0,"
            "sentry-sampled=true,other-vendor=kept"
        )
    return headers


@pytest.fixture
def server(tmp_path, server_database):
    receiver = SentryReceiver().start()
    app = start_gunicorn(
        tmp_path,
        {
            "SENTRY_ENVIRONMENT": "production",
            "SECRET_KEY": strong_secret_key(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": server_database.url,
            "REDIS_URL": "",
            "LOG_FILE": "",
            "SENTRY_DSN": receiver.dsn,
            "SENTRY_TRACES_SAMPLE_RATE": str(RATE),
            "SENTRY_PROFILES_SAMPLE_RATE": "0",
            # One proxy (the test) in front: the client is the X-Forwarded-For hop it names.
            "TRUSTED_PROXY_COUNT": "1",
            "SENTRY_TRUSTED_TRACE_NETWORKS": "10.0.0.0/8",
        },
        wait_path="/health",
    )
    yield app, receiver
    app.stop()
    receiver.stop()


def test_inbound_trace__untrusted_client_cannot_force_tracing(server):
    app, receiver = server
    outsider = "203.0.113.9"
    attack_traces = [secrets.token_hex(16) for _ in range(ATTACKS)]
    for trace_id in attack_traces:
        assert app.get("/api/v1/auth/me", headers=forced(trace_id, outsider)).status_code == 401
    chosen = trace_id_with_tiny_sample_rand()
    for _ in range(ATTACKS):
        headers = forced(chosen, outsider, flag="", baggage=False)
        assert app.get("/api/v1/auth/me", headers=headers).status_code == 401

    # The control, sent last: from a trusted network the forced decision stands. Once its
    # transaction has arrived, every earlier one (same worker, same queue) has too.
    trusted_trace = secrets.token_hex(16)
    app.get("/api/v1/auth/me", headers=forced(trusted_trace, "10.1.2.3"))

    def trace_ids(r: SentryReceiver) -> list[str]:
        return [t["contexts"]["trace"]["trace_id"] for t in r.transactions]

    receiver.wait_for(lambda r: trusted_trace in trace_ids(r), timeout=20)
    assert trace_ids(receiver) == [trusted_trace]


def test_untrusted_trace_headers__keep_the_trace_drop_the_decision():
    trace_id, span_id = "a" * 32, "b" * 16
    trace, baggage = untrusted_trace_headers(
        f"{trace_id}-{span_id}-1", "sentry-sample_rand=0.0,sentry-sampled=true,vendor=x"
    )
    assert trace == f"{trace_id}-{span_id}"
    items = dict(item.split("=", 1) for item in baggage.split(","))
    assert items["vendor"] == "x"
    assert items["sentry-trace_id"] == trace_id
    assert "sentry-sampled" not in items
    # Ours, random: 20 draws are not all the attacker's 0.0.
    draws = {
        untrusted_trace_headers(f"{trace_id}-{span_id}-1", "sentry-sample_rand=0.0")[1]
        for _ in range(20)
    }
    assert len(draws) > 1
