"""monitoring/sentry_queries.py: SQL spans for traced requests, lazy breadcrumbs for the rest.

Against a live server and a real receiver: an untraced request's queries reach Sentry only as the
breadcrumbs of its error, scrubbed as the SDK's would be, in order, and none of another request's;
a traced request's queries are spans and breadcrumbs, once; queries outside requests are the
SDK's as before.
"""

from __future__ import annotations

import re

import pytest
import sentry_sdk
from asgiref.sync import async_to_sync
from django.db import connection
from django.db.backends import utils
from django.test import AsyncClient
from sentry_sdk.integrations import django as sdk_django

from monitoring import sentry_queries
from tests.support.api import login_token
from tests.support.envelopes import breadcrumbs, error_events, transaction_named
from tests.support.sentry_receiver import SentryReceiver, relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "pupil.one@example.com"


@pytest.fixture
def receiver_at(configure_sentry):
    started = []

    def start(traces_sample_rate: float, **overrides: object) -> SentryReceiver:
        receiver = SentryReceiver().start()
        started.append(receiver)
        configure_sentry(
            "production", dsn=receiver.dsn, traces_sample_rate=traces_sample_rate, **overrides
        )
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def sdk_recorded(monkeypatch) -> list[str]:
    """The SQL of each query the SDK's hook recorded (a span and a breadcrumb) from now on."""
    recorded: list[str] = []
    record = sdk_django.record_sql_queries

    def spy(*args, **kwargs):
        recorded.append(kwargs.get("query"))
        return record(*args, **kwargs)

    monkeypatch.setattr(sdk_django, "record_sql_queries", spy)
    return recorded


def test_spy__sees_the_sdks_hook(receiver_at, sdk_recorded):
    receiver_at(1.0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 5 AS probe_spy")
    assert sdk_recorded == ["SELECT 5 AS probe_spy"]


def probe_queries(event: dict) -> list[str]:
    """The probe's numbered queries among the event's query breadcrumbs."""
    numbered = re.compile(r"SELECT \d+ AS probe_\d+")
    return [c["message"] for c in breadcrumbs(event, "query") if numbered.fullmatch(c["message"])]


def param_crumb(event: dict) -> dict:
    return next(c for c in breadcrumbs(event, "query") if "probe_param" in c["message"])


def test_hooks__ours_around_the_sdks(sentry_receiver):
    for method in (utils.CursorWrapper.execute, utils.CursorWrapper.executemany):
        assert method.__code__.co_filename == sentry_queries.__file__


def test_untraced__queries_are_crumbs_of_the_error_scrubbed_and_in_order(
    receiver_at, http, probe_urls, teacher, sdk_recorded
):
    receiver = receiver_at(0.0)
    token = login_token(http, teacher)
    # An earlier request of the same worker, with queries of its own (another child's).
    lessons = http.get("/api/v1/content?limit=1", headers={"Authorization": f"Bearer {token}"})
    assert lessons.status_code == 200
    assert http.get("/probe/sql-boom", params={"n": 3}).status_code == 500
    event = receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
    assert receiver.transactions == []
    # Noted only: no span, no breadcrumb until the error. (The sampler's own read of the
    # runtime settings, before the decision, may be the SDK's.)
    assert not [sql for sql in sdk_recorded if "probe" in sql]
    queries = breadcrumbs(event, "query")
    assert probe_queries(event) == [f"SELECT {i} AS probe_{i}" for i in range(3)]
    for crumb in queries:
        assert crumb["type"] == "default"
        assert "db.params" not in crumb.get("data", {})  # PII off: no parameters
        assert "content_lesson" not in crumb["message"]  # the other request's
    # The last query held an e-mail address: scrubbed by before_breadcrumb, as the SDK's are.
    contact = [c for c in queries if "contact" in c["message"]]
    assert len(contact) == 1 and EMAIL not in contact[0]["message"]
    assert EMAIL not in str(event)
    # In time order, after the request's first crumb.
    values = event["breadcrumbs"]["values"]
    stamps = [c["timestamp"] for c in values]
    assert stamps == sorted(stamps)
    assert values.index(queries[0]) > values.index(breadcrumbs(event, "request")[0])
    assert relay_errors(event) == []


def test_untraced__the_newest_crumbs_are_kept_up_to_the_limit(receiver_at, http, probe_urls):
    receiver = receiver_at(0.0)
    assert http.get("/probe/sql-boom", params={"n": 150}).status_code == 500
    event = receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
    values = event["breadcrumbs"]["values"]
    assert len(values) == 100
    assert probe_queries(event)[-1] == "SELECT 149 AS probe_149"
    assert "SELECT 0 AS probe_0" not in probe_queries(event)


def test_asgi__a_sync_views_queries_reach_its_error(receiver_at, probe_urls, sdk_recorded):
    """Under ASGI the middleware runs in the event loop and the sync view in a thread: the
    request's notes travel there in the copied context."""
    receiver = receiver_at(0.0)
    client = AsyncClient(raise_request_exception=False)
    response = async_to_sync(client.get)("/probe/sql-boom", {"n": 2})
    assert response.status_code == 500
    event = receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
    assert probe_queries(event) == ["SELECT 0 AS probe_0", "SELECT 1 AS probe_1"]
    assert not [sql for sql in sdk_recorded if "probe" in sql]
    assert EMAIL not in str(event)


def test_traced__queries_are_spans_and_crumbs_once(receiver_at, http, probe_urls, sdk_recorded):
    receiver = receiver_at(1.0)
    assert http.get("/probe/sql-boom", params={"n": 2}).status_code == 500
    assert [sql for sql in sdk_recorded if "AS probe_" in sql][:2] == [
        "SELECT 0 AS probe_0",
        "SELECT 1 AS probe_1",
    ]
    event = receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
    assert probe_queries(event) == ["SELECT 0 AS probe_0", "SELECT 1 AS probe_1"]
    transaction = receiver.wait_for(transaction_named("/probe/sql-boom"))[0]
    spans = [s["description"] for s in transaction["spans"] if s["op"] == "db"]
    assert "SELECT 0 AS probe_0" in spans and "SELECT 1 AS probe_1" in spans
    assert EMAIL not in str(transaction) and EMAIL not in str(event)


def test_outside_requests__queries_are_the_sdks(receiver_at):
    """A task or a command has no request scope: its queries are recorded by the SDK at once."""
    receiver = receiver_at(1.0)
    with sentry_sdk.start_transaction(name="nightly-task", op="task"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 7 AS probe_task")
        sentry_sdk.capture_message("task done")
    sentry_sdk.get_client().flush(timeout=5)
    transaction = receiver.wait_for(transaction_named("nightly-task"))[0]
    assert [s for s in transaction["spans"] if s["description"] == "SELECT 7 AS probe_task"]
    message = receiver.wait_for(lambda r: [e for e in r.events if e.get("message")])[0]
    assert "SELECT 7 AS probe_task" in [c["message"] for c in breadcrumbs(message, "query")]


def test_pii_on__the_sdk_records_queries_with_their_parameters(receiver_at, http, probe_urls):
    """Parameters are collected with PII on: the notes hold none, so the SDK records queries."""
    receiver = receiver_at(0.0, send_default_pii=True)
    assert not sentry_queries.notes_wanted()
    assert http.get("/probe/sql-boom", params={"n": 4}).status_code == 500
    event = receiver.wait_for(lambda r: error_events(r, "ProbeFailure"))[0]
    assert param_crumb(event)["data"]["db.params"] == [4]
    assert probe_queries(event) == [f"SELECT {i} AS probe_{i}" for i in range(4)]


def test_composed_statements__rendered_while_their_cursor_is_open(sentry_receiver):
    """psycopg's sql.SQL objects are noted as the SQL text the SDK would have shown."""
    if connection.vendor != "postgresql":
        pytest.skip("composed statements are psycopg's (PostgreSQL)")
    from psycopg import sql

    notes = sentry_queries.new_notes()
    with sentry_queries.untraced_queries(notes), connection.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT {} AS {}").format(sql.Literal(3), sql.Identifier("probe_c")))
        cursor.execute("SELECT 4 AS probe_d")
    messages = [crumb["message"] for crumb in sentry_queries.query_crumbs(notes)]
    queries = [message for message in messages if message != "connect"]
    assert queries == ['SELECT 3 AS "probe_c"', "SELECT 4 AS probe_d"]
