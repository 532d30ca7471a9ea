"""monitoring/sentry_requests.py: each request's scope, session and transaction, opened once.

DjangoIntegration's per-request wrappers are gone; everything they gave a request must still
arrive at a real receiver: transaction names, statuses, request data, breadcrumbs of that request
only, error context in unsampled requests, release health, and the same over ASGI.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import django
import pytest
import sentry_sdk
from django.core.handlers import base
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler
from django.urls import Resolver404, resolve
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.tracing import TransactionSource

from live import tracking
from monitoring import sentry_requests, tracing
from monitoring.sentry_requests import DjangoRequestsIntegration, transaction_name
from tests.monitoring.conftest import PRODUCTION_MONITORING_TOKEN
from tests.support.api import login_token
from tests.support.envelopes import breadcrumbs, error_events, transaction_named
from tests.support.sentry_receiver import SentryReceiver, relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

DJANGO = str(Path(django.__file__).parent)


def code_of(function) -> str:
    return getattr(function, "__func__", function).__code__.co_filename


def test_integration__is_ours_and_wraps_no_request(sentry_receiver):
    integration = sentry_sdk.get_client().get_integration(DjangoIntegration)
    assert type(integration) is DjangoRequestsIntegration
    assert integration.transaction_style == "url"
    # Django's own handler, get_response and views: nothing of the SDK's around them (the
    # SDK's wrappers keep the names of what they wrap: look at the code they run).
    for function in (WSGIHandler.__call__, BaseHandler.get_response, BaseHandler.make_view_atomic):
        assert code_of(function).startswith(DJANGO), function
    # Middleware are loaded as they are: the SDK wraps each one as Django imports it.
    assert code_of(base.import_string).startswith(DJANGO)
    assert not [m for m in WSGIHandler()._view_middleware if "sentry_sdk" in code_of(m)]
    # Its hooks that are not per request are installed: SQL queries are still spans (of traced
    # requests: tests/monitoring/test_sentry_queries.py).
    from django.db.backends.base.base import BaseDatabaseWrapper

    assert "sentry_sdk" in code_of(BaseDatabaseWrapper._commit)


def test_sampled__transaction_named_after_the_route_with_status_and_request(
    sentry_receiver, http, teacher
):
    token = login_token(http, teacher)
    missing = http.get(
        "/api/v1/content/999999",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-named"},
        params={"limit": "3"},
    )
    assert missing.status_code == 404
    transaction = sentry_receiver.wait_for(transaction_named("/api/v1/content/{lesson_id}"))[0]
    assert transaction["transaction_info"] == {"source": "route"}
    trace = transaction["contexts"]["trace"]
    assert trace["op"] == "http.server"
    assert trace["origin"] == "auto.http.django"
    assert trace["status"] == "not_found"
    assert trace["data"]["http.response.status_code"] == 404
    assert transaction["tags"]["request_id"] == "req-named"
    request = transaction["request"]
    assert request["method"] == "GET"
    assert request["url"].startswith(http.base_url.join("/api/v1/content/").__str__())
    assert request["query_string"] == "limit=3"
    assert request["headers"]["X-Request-Id"] == "req-named"
    assert "Authorization" not in request["headers"] or request["headers"]["Authorization"] in (
        "[Filtered]",
        "[REDACTED]",
    )
    assert token not in str(transaction)
    assert [s for s in transaction["spans"] if s["op"] == "db"]
    assert relay_errors(transaction) == []


def test_sampled__a_path_no_route_matches_is_named_by_its_path(sentry_receiver, http):
    assert http.get("/no/such/page").status_code == 404
    transaction = sentry_receiver.wait_for(transaction_named("/no/such/page"))[0]
    assert transaction["transaction_info"] == {"source": "url"}
    assert transaction["contexts"]["trace"]["status"] == "not_found"


def test_names__each_route_resolved_once_other_paths_of_it_read_its_name(rf, monkeypatch):
    calls = []
    resolve_name = sentry_requests.LEGACY_RESOLVER.resolve
    monkeypatch.setattr(
        sentry_requests.LEGACY_RESOLVER,
        "resolve",
        lambda path, *args: calls.append(path) or resolve_name(path, *args),
    )
    monkeypatch.setattr(sentry_requests, "_names_by_route", {})

    def name_of(path):
        request = rf.get(path)
        try:
            request.resolver_match = resolve(request.path_info)
        except Resolver404:
            pass
        return transaction_name(request)

    lesson = ("/api/v1/content/{lesson_id}", TransactionSource.ROUTE)
    assert name_of("/api/v1/content/1") == lesson
    assert name_of("/api/v1/content/2") == lesson
    assert name_of("/api/v1/content/3") == lesson
    assert calls == ["/api/v1/content/1"]
    # Django's route is the key, never a path: a path no route matches is named by itself and
    # leaves nothing behind, however many a scanner sends.
    assert name_of("/no/such/page") == ("/no/such/page", TransactionSource.URL)
    assert name_of("/no/such/page") == ("/no/such/page", TransactionSource.URL)
    assert calls[1:] == ["/no/such/page", "/no/such/page"]
    assert list(sentry_requests._names_by_route.values()) == ["/api/v1/content/{lesson_id}"]
    # Past the cap a route is still named right, only not remembered.
    monkeypatch.setattr(sentry_requests, "MAX_NAMED_ROUTES", 1)
    assert name_of("/api/v1/auth/me") == ("/api/v1/auth/me", TransactionSource.ROUTE)
    assert name_of("/api/v1/auth/me") == ("/api/v1/auth/me", TransactionSource.ROUTE)
    assert calls[3:] == ["/api/v1/auth/me", "/api/v1/auth/me"]


def test_bodies__errors_carry_them_transactions_never(sentry_receiver, http, probe_urls, teacher):
    token = login_token(http, teacher)  # a POST whose body holds a password
    response = http.post(
        "/probe/boom", json={"note": "hello"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 500
    event = sentry_receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
    assert event["request"]["data"]["note"] == "hello"
    login = sentry_receiver.wait_for(transaction_named("/api/v1/auth/login"))[0]
    boom = sentry_receiver.wait_for(transaction_named("/probe/boom"))[0]
    for transaction in (login, boom):
        assert "data" not in transaction["request"]
        assert "cookies" not in transaction["request"]
    assert b"hello" not in b"".join(str(t).encode() for t in sentry_receiver.transactions)


def test_unsampled__error_named_after_its_route_with_request_and_its_own_breadcrumbs(
    configure_sentry, http, probe_urls, teacher
):
    """At traces 0 nothing is traced, and an error still says where it happened, with the
    request's breadcrumbs only: none of another request's (another child's) crumbs."""
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        token = login_token(http, teacher)
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(3):  # earlier requests of the same worker, each with its crumbs
            assert http.get("/probe/ok", headers=headers).status_code == 200
            assert http.get("/api/v1/content?limit=1", headers=headers).status_code == 200
        assert http.post("/probe/boom", json={}, headers=headers).status_code == 500
        event = receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
        assert receiver.transactions == []
        assert event["transaction"] == "/probe/boom"
        assert event["transaction_info"] == {"source": "route"}
        assert event["request"]["method"] == "POST"
        assert event["request"]["url"].endswith("/probe/boom")
        messages = [c["message"] for c in breadcrumbs(event, "request")]
        assert messages == ["POST /probe/boom started"]
        assert not [c for c in event["breadcrumbs"]["values"] if "/probe/ok" in str(c)]
        assert event["contexts"]["trace"]["trace_id"]
        assert relay_errors(event) == []
    finally:
        receiver.stop()


def test_release_health__one_request_session_per_request(configure_sentry, http):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        for _ in range(4):
            assert http.get("/health").status_code in (200, 503)
        sentry_sdk.get_client().flush(timeout=5)
        sessions = receiver.wait_for(lambda r: r.items("sessions"))
        exited = sum(a.get("exited", 0) for s in sessions for a in s["aggregates"])
        assert exited >= 4
    finally:
        receiver.stop()


@pytest.mark.slow
def test_asgi__transaction_carries_the_request(production_server):
    """Under the ASGI server the request is an ASGIRequest: the same names and request data."""
    server, receiver = production_server
    response = server.get(
        "/sentry/status?verbose=1",
        headers={
            "Authorization": f"Bearer {PRODUCTION_MONITORING_TOKEN}",
            "X-Request-ID": "asgi-1",
        },
    )
    assert response.status_code == 200
    transaction = receiver.wait_for(transaction_named("/sentry/status"))[0]
    assert transaction["transaction_info"] == {"source": "route"}
    assert transaction["contexts"]["trace"]["status"] == "ok"
    assert transaction["tags"]["request_id"] == "asgi-1"
    request = transaction["request"]
    assert request["method"] == "GET"
    assert request["url"] == f"{server.url}/sentry/status"
    assert request["query_string"] == "verbose=1"
    assert PRODUCTION_MONITORING_TOKEN not in str(transaction)
    assert relay_errors(transaction) == []


def test_transactions__carry_only_what_serves_them_errors_keep_all(
    sentry_receiver, http, probe_urls, teacher
):
    """What serves errors only (the command line, the SDK's lists, the application context
    beyond the worker's pid, request_details) stays off transactions: each value costs its walk
    in the SDK's serialiser and in scrubbing on every sampled request."""
    token = login_token(http, teacher)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "req-light"}
    assert http.get("/probe/ok", headers=headers).status_code == 200
    assert http.post("/probe/boom", json={}, headers=headers).status_code == 500
    transaction = sentry_receiver.wait_for(transaction_named("/probe/ok"))[0]
    error = sentry_receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]

    assert "sys.argv" not in transaction.get("extra", {})
    assert set(transaction["sdk"]) == {"name", "version"}
    assert transaction["sdk"]["name"] == "sentry.python.django"
    assert transaction["contexts"]["application"] == {"process_id": os.getpid()}
    assert "request_details" not in transaction["contexts"]
    # What request_details would repeat is the transaction's own.
    assert transaction["tags"]["request_id"] == "req-light"
    assert transaction["request"]["method"] == "GET"
    assert transaction["user"]["id"] == str(teacher.pk)
    assert transaction["environment"] and transaction["release"]
    assert relay_errors(transaction) == []

    assert error["extra"]["sys.argv"]
    assert "django" in error["sdk"]["integrations"]
    assert error["contexts"]["application"]["environment"] == "development"
    assert error["contexts"]["request_details"]["request_id"] == "req-light"
    # The global scope's application context is shared: not trimmed for everyone.
    assert sentry_sdk.get_global_scope()._contexts["application"]["release"]


# --- the unsampled decision, made without start_transaction ------------------------------------

TRACE = "4d3c2b1a4d3c2b1a4d3c2b1a4d3c2b1a-1a2b3c4d1a2b3c4d"
TRUSTED = {"toolbox.trusted_trace_parent": True}
# case: (path, sentry-trace header, trusted, baggage with the grid's sample_rand, decisions seen)
DECISION_CASES = {
    "new trace": ("/probe/ok", None, False, False, {True, False}),
    "continued, untrusted -1": ("/probe/ok", f"{TRACE}-1", False, True, {True, False}),
    "continued, trusted -1": ("/probe/ok", f"{TRACE}-1", True, True, {True}),
    "continued, trusted -0": ("/probe/ok", f"{TRACE}-0", True, True, {False}),
    "continued, no decision": ("/probe/ok", TRACE, True, True, {True, False}),
    # sample_rand derived from the trace id: one decision for the whole grid.
    "continued, no baggage": ("/probe/ok", TRACE, True, False, None),
    "never traced path": ("/health", None, False, False, {False}),
}


def passed_on(sentry_scope, monkeypatch) -> tuple[bool | None, str, str, list[tuple[str, str]]]:
    """What a request's (or socket message's) Sentry scope passes on: its decision, the trace
    headers a task, a socket push or a page gets (trace and span ids left out: new for every
    transaction), and what it reports dropped by sampling when it ends."""
    dropped: list[tuple[str, str]] = []

    def recorded(reason, data_category=None, item=None, **kwargs):
        if reason in ("sample_rate", "backpressure"):
            dropped.append((reason, data_category))

    monkeypatch.setattr(sentry_sdk.get_client().transport, "record_lost_event", recorded)
    with sentry_scope as transaction:
        sampled = transaction.sampled
        traceparent = sentry_sdk.get_traceparent()
        baggage = sentry_sdk.get_baggage() or ""
        with sentry_sdk.start_span(op="queue.submit.celery") as child:
            assert child.to_traceparent().endswith({True: "-1", False: "-0"}[sampled])
    trace_id, _span_id, *decision = traceparent.split("-")
    return sampled, "-".join(decision), baggage.replace(trace_id, "<trace>"), dropped


@pytest.mark.parametrize("case", DECISION_CASES)
@pytest.mark.parametrize("backing_off", [False, True], ids=["", "backing-off"])
@pytest.mark.parametrize("unit", ["request", "socket message"])
def test_unsampled__decided_and_passed_on_exactly_as_start_transaction_would(
    unit, case, backing_off, configure_sentry, rf, monkeypatch
):
    """Over a grid of sample_rand values, the requests (and socket messages, live.tracking) left
    unsampled without start_transaction pass on the same decision and dynamic sampling context,
    and report the same drops, as when the SDK decides every one; the SDK still decides those
    that may be sampled."""
    configure_sentry("production", dsn="http://public@127.0.0.1:9/1", traces_sample_rate=0.3)
    if backing_off:  # the SDK halves the rate for each level of back-off
        monitor = type(sentry_sdk.get_client().monitor)
        monkeypatch.setattr(monitor, "downsample_factor", property(lambda _: 1))
    path, sentry_trace, trusted, with_baggage, decisions = DECISION_CASES[case]
    ours = tracing.left_unsampled
    left_by_us = []

    def counted(transaction, sampling_context):
        left_by_us.append(ours(transaction, sampling_context))
        return left_by_us[-1]

    def sentry_scope(headers: dict[str, str]):
        if unit == "request":
            meta = {f"HTTP_{name.upper().replace('-', '_')}": v for name, v in headers.items()}
            return sentry_requests.request_scope(
                rf.get(path, **meta, **(TRUSTED if trusted else {}))
            )
        return tracking.transaction(
            {"type": "websocket", "path": path},
            op="websocket.receive",
            name="LiveConsumer",
            trace_headers=headers,
            trusted=trusted,
        )

    seen, unsampled = set(), 0
    for step in range(100):
        sample_rand = f"{(step + 0.5) / 100:.6f}"
        headers = {}
        if sentry_trace:
            headers["sentry-trace"] = sentry_trace
        if with_baggage:
            headers["baggage"] = f"sentry-trace_id={TRACE[:32]},sentry-sample_rand={sample_rand}"
        # A new trace's sample_rand is drawn at random: the grid's, for both.
        monkeypatch.setattr(tracing, "random_sample_rand", lambda drawn=sample_rand: drawn)
        monkeypatch.setattr(tracing, "left_unsampled", counted)
        by_us = passed_on(sentry_scope(headers), monkeypatch)
        monkeypatch.setattr(tracing, "left_unsampled", lambda *args: False)
        by_the_sdk = passed_on(sentry_scope(headers), monkeypatch)
        assert by_us == by_the_sdk, (sample_rand, by_us, by_the_sdk)
        seen.add(by_us[0])
        if by_us[0] is False:
            unsampled += 1
            assert by_us[1] == "0"
            # A trace that starts here carries its decision in its sampling context too (a
            # continued one passes on its head's, with our rate).
            assert ("sentry-sampled=false" in by_us[2]) == (sentry_trace is None)
            assert len(by_us[3]) == 2  # the transaction and its one span
    if decisions == {True} and backing_off:
        decisions = {True, False}  # even a trusted -1 is sampled at half the rate
    if decisions is not None:
        assert seen == decisions
    # Every unsampled request was decided here, every sampled one by the SDK.
    assert left_by_us.count(True) == unsampled


def test_unsampled__pages_continue_the_decision_and_sentry_hears_of_each_drop(
    configure_sentry, http, probe_urls
):
    """Over a real server at traces 0: every page tells the browser its trace was not sampled
    (``-0``, ``sentry-sampled=false``), each in a trace of its own, and Sentry's client reports
    count every request's transaction dropped by sampling (its Stats page shows them)."""
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        traces = set()
        for _ in range(5):
            html = http.get("/probe-page/").text
            sentry_trace = re.search(r'<meta name="sentry-trace" content="([^"]+)">', html)[1]
            baggage = re.search(r'<meta name="baggage" content="([^"]+)">', html)[1]
            trace_id, _span_id, decision = sentry_trace.split("-")
            assert decision == "0"
            assert "sentry-sampled=false" in baggage and f"sentry-trace_id={trace_id}" in baggage
            traces.add(trace_id)
        assert len(traces) == 5

        def dropped(receiver):
            counts = {}
            for report in receiver.items("client_report"):
                for entry in report.get("discarded_events", ()):
                    key = (entry["reason"], entry["category"])
                    counts[key] = counts.get(key, 0) + entry["quantity"]
            return counts if counts.get(("sample_rate", "transaction"), 0) >= 5 else None

        counts = receiver.wait_for(dropped)
        assert counts[("sample_rate", "transaction")] == 5
        assert counts[("sample_rate", "span")] == 5
        assert not receiver.transactions
    finally:
        receiver.stop()
