"""monitoring/serializer.py: a plain transaction copied, everything else by the SDK's serializer.

The fast copy must give exactly what ``sentry_sdk.serializer.serialize`` gives: for real
transactions of our app (sent on to a real receiver and checked by Sentry's own normaliser), for
events the SDK would trim, annotate or repr, and for thousands of random events built around the
SDK's limits.
"""

from __future__ import annotations

import copy
import math
import random
from datetime import UTC, datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

import pytest
import sentry_sdk
import sentry_sdk.client
from django.test import Client
from sentry_sdk import serializer as sdk_serializer
from sentry_sdk.tracing import TransactionSource
from sentry_sdk.utils import AnnotatedValue

from monitoring import serializer
from tests.support.api import bearer, post_json
from tests.support.envelopes import transaction_named
from tests.support.sentry_receiver import SentryReceiver, relay_errors

OPTIONS = {"max_request_body_size": "medium", "max_value_length": None, "custom_repr": None}
NOW = datetime(2026, 12, 7, 5, 19, 13, 444626, tzinfo=UTC)


@pytest.fixture
def fast_path(monkeypatch) -> list[bool]:
    """One entry per event ``serialize`` saw: whether the plain copy served it."""
    served: list[bool] = []
    copy_transaction = serializer._transaction

    def spy(*args: Any) -> Any:
        served.append(False)
        result = copy_transaction(*args)
        served[-1] = True
        return result

    monkeypatch.setattr(serializer, "_transaction", spy)
    return served


def both(event: dict[str, Any], **options: Any) -> tuple[Any, Any]:
    """(ours, the SDK's) for ``event``, each on its own copy."""
    options = {**OPTIONS, **options}
    return (
        serializer.serialize(copy.deepcopy(event), **options),
        sdk_serializer.serialize(copy.deepcopy(event), **options),
    )


def transaction(**fields: Any) -> dict[str, Any]:
    """A transaction shaped as the SDK hands it to the serializer (timestamps as datetimes)."""
    event: dict[str, Any] = {
        "type": "transaction",
        "transaction": "/sentry/status",
        "transaction_info": {"source": "route"},
        "contexts": {
            "trace": {
                "trace_id": "6eecc0fe22d94bd082896414c2d58ab6",
                "span_id": "bd3eb3f57cf2b45f",
                "parent_span_id": None,
                "op": "http.server",
                "status": "ok",
                "data": {"thread.id": "140197667269504", "http.response_time_ms": 1.25},
            },
            "runtime": {"name": "CPython", "version": "3.11.7"},
        },
        "tags": {"http.status_code": "200", "request_id": "e57295e871f540e0ab8514e342cca661"},
        "timestamp": NOW,
        "start_timestamp": NOW - timedelta(milliseconds=3),
        "spans": [
            {
                "op": "db",
                "description": "SELECT 1",
                "start_timestamp": NOW - timedelta(milliseconds=2),
                "timestamp": NOW - timedelta(milliseconds=1),
                "data": {"db.system": "postgresql", "db.params": ["a", 1]},
            }
        ],
        "measurements": {},
        "event_id": "f392a72f7dd44f19b2d18f544eae79d1",
        "request": {"url": "http://testserver/x", "method": "GET", "headers": {"Host": "x"}},
        "platform": "python",
    }
    event.update(fields)
    return event


class Claimed:
    """An object a repr processor of the test's takes over (as it takes the text "claim me")."""

    def __repr__(self) -> str:
        return "<claimed>"


class Redacted(str):
    def __sentry_repr__(self) -> str:
        return "[redacted]"


def claim(value: Any, hints: Any) -> Any:
    claimed = isinstance(value, Claimed) or value == "claim me"
    return "claimed by the test" if claimed else NotImplemented


@pytest.fixture
def claiming_processor():
    sdk_serializer.add_global_repr_processor(claim)
    yield
    sdk_serializer.global_repr_processors.remove(claim)


_cyclic: dict[str, Any] = {"name": "loop"}
_cyclic["self"] = _cyclic

# What the SDK's walk changes, and where: each event must leave the plain copy for the SDK.
NOT_PLAIN = {
    "an error event": {"type": "default", "message": "boom"},
    "a set": {"tags": {"ids": {1, 2}}},
    "bytes": {"tags": {"raw": b"\xff"}},
    "nan": {"measurements": {"lcp": {"value": math.nan}}},
    "infinity": {"measurements": {"lcp": {"value": math.inf}}},
    "an annotated value": {"spans": AnnotatedValue([], {"len": 3})},
    "a non-string key": {"contexts": {"response": {200: "ok"}}},
    "an object": {"contexts": {"response": {"body": Claimed()}}},
    "text with a __sentry_repr__": {"tags": {"note": Redacted("secret")}},
    "a naive datetime subclass": {"timestamp": type("Stamp", (datetime,), {})(2026, 1, 1)},
    "a wide extra": {"extra": {f"k{n}": n for n in range(11)}},
    "a deep extra": {"extra": {"a": {"b": {"c": {"d": {"e": 1}}}}}},
    "a long extra list": {"extra": {"list": list(range(11))}},
    "a wide request body": {"request": {"data": {f"f{n}": "v" for n in range(11)}}},
    "a deep request body": {"request": {"data": {"a": {"b": {"c": {"d": {"e": 1}}}}}}},
    "breadcrumbs": {"breadcrumbs": {"values": [{"message": "hi"}]}},
    "a cycle": {"contexts": {"loop": _cyclic}},
    "a request that is a list": {"request": ["GET", "/"]},
    "spans that are a dict": {"spans": {"0": {"op": "db"}}},
}
PLAIN = {
    "the status transaction": {},
    "a tuple": {"tags": {"pair": ("a", "b")}},
    "enums of str and int (kept as they are)": {
        "transaction_info": {"source": TransactionSource.ROUTE},
        "contexts": {"response": {"status_code": HTTPStatus.OK}},
    },
    "a naive datetime": {"start_timestamp": datetime(2026, 12, 7, 5, 19, 13)},
    "another time zone": {"timestamp": NOW.astimezone(timezone(timedelta(hours=-5)))},
    "an extra at its limits": {"extra": {f"k{n}": {"a": {"b": {"c": n}}} for n in range(10)}},
    "a request body at its limits": {"request": {"data": {"a": {"b": {"c": {"d": "x"}}}}}},
    "a wide context (no limit there)": {"contexts": {"wide": {f"k{n}": n for n in range(50)}}},
    "deep span data (no limit there)": {
        "spans": [{"op": "x", "data": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}}]
    },
    "unicode": {"transaction": "/leçons/ünïcode/😀"},
    "a lone surrogate": {"tags": {"odd": "\ud800"}},
    "no request": {"request": None},
    "no spans": {"spans": None},
}


@pytest.mark.parametrize("fields", PLAIN.values(), ids=PLAIN.keys())
def test_serialize__plain_transactions_copied_as_the_sdk_would(fields, fast_path):
    ours, sdks = both(transaction(**fields))
    assert ours == sdks
    assert "_meta" not in ours
    assert fast_path == [True]


@pytest.mark.parametrize("fields", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_serialize__everything_else_left_to_the_sdk(fields, fast_path):
    event = transaction(**fields)
    ours = serializer.serialize(event, **OPTIONS)
    assert ours == sdk_serializer.serialize(event, **OPTIONS)
    assert fast_path in ([], [False])


def test_serialize__strings_the_sdk_would_cut_left_to_it(fast_path):
    # 150 characters; 60 characters but 120 bytes of UTF-8: both cut to 100 bytes, annotated.
    for tag in ("x" * 150, "é" * 60):
        ours, sdks = both(transaction(tags={"note": tag}), max_value_length=100)
        assert ours == sdks and "_meta" in sdks
    # 90 bytes fit.
    ours, sdks = both(transaction(tags={"note": "é" * 45}), max_value_length=100)
    assert ours == sdks and "_meta" not in sdks
    assert fast_path == [False, False, True]


def test_serialize__whole_bodies_kept_when_asked(fast_path):
    wide = {"request": {"data": {f"f{n}": {"a": {"b": {"c": {"d": n}}}} for n in range(20)}}}
    ours, sdks = both(transaction(**wide), max_request_body_size="always")
    assert ours == sdks and "_meta" not in sdks
    assert fast_path == [True]


def test_serialize__repr_processors_asked_where_the_sdk_asks_them(claiming_processor, fast_path):
    # In a span's data and in databags the processor's answer is the value, even for plain
    # text: left to the SDK.
    for value in (Claimed(), "claim me"):
        for fields in (
            {"spans": [{"op": "db", "data": {"rows": [value]}}]},
            {"extra": {"rows": value}},
            {"request": {"data": value}},
        ):
            ours, sdks = both(transaction(**fields))
            assert ours == sdks and "claimed by the test" in str(sdks)
    # Elsewhere the SDK does not ask them: copied as it is.
    ours, sdks = both(transaction(tags={"note": "claim me"}))
    assert ours == sdks and sdks["tags"]["note"] == "claim me"
    assert fast_path == [False] * 6 + [True]


def test_serialize__copy_shares_nothing_with_the_event():
    event = transaction(extra={"ids": [1, 2]})
    ours = serializer.serialize(event, **OPTIONS)
    ours["contexts"]["trace"]["status"] = "changed"
    ours["extra"]["ids"].append(3)
    ours["spans"][0]["data"]["db.params"].append("more")
    assert event["contexts"]["trace"]["status"] == "ok"
    assert event["extra"]["ids"] == [1, 2]
    assert event["spans"][0]["data"]["db.params"] == ["a", 1]


# Random events around the SDK's limits: leaves plain and not, containers up to one past the
# databag breadth, nesting up to one past its depth, in every place the SDK treats differently.
LEAVES = [
    lambda r: r.choice(["", "text", "ünï", "x" * 30, "\ud800"]),
    lambda r: r.randint(-(10**20), 10**20),
    lambda r: r.random() * 1e6,
    lambda r: r.choice([True, False, None]),
    lambda r: NOW + timedelta(seconds=r.randint(0, 10**6)),
    lambda r: r.choice([math.nan, math.inf, b"bytes", {1, 2}, Claimed(), 3 + 4j]),
]


def random_value(r: random.Random, depth: int) -> Any:
    if depth > 0 and r.random() < 0.45:
        width = r.choice([0, 1, 3, 9, 10, 11])
        if r.random() < 0.7:
            return {
                (f"k{n}" if r.random() < 0.97 else n): random_value(r, depth - 1)
                for n in range(width)
            }
        return [random_value(r, depth - 1) for _ in range(width)]
    leaf = r.choice(LEAVES[:-1] if r.random() < 0.93 else LEAVES)
    return leaf(r)


def random_transaction(r: random.Random) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in ("extra", "contexts", "tags", "measurements"):
        if r.random() < 0.5:
            fields[key] = random_value(r, r.randint(1, 7))
    if r.random() < 0.5:
        fields["request"] = {"url": "/x", "data": random_value(r, r.randint(1, 7))}
    if r.random() < 0.5:
        fields["spans"] = [
            {"op": "db", "data": random_value(r, r.randint(1, 7))} for _ in range(r.randint(0, 3))
        ]
    return transaction(**fields)


def test_serialize__random_events_equal_the_sdks(fast_path):
    r = random.Random(20261207)
    for n in range(400):
        event = random_transaction(r)
        for options in ({}, {"max_value_length": 12}, {"max_request_body_size": "always"}):
            ours, sdks = both(event, **options)
            assert ours == sdks, (n, options, event)
    # Both ways were taken, many times each: the grid reaches the limits from both sides.
    assert fast_path.count(True) > 150 and fast_path.count(False) > 150


def test_serialize__installed_with_the_sdk(configure_sentry):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn)
        assert sentry_sdk.client.serialize is serializer.serialize
    finally:
        receiver.stop()


@pytest.mark.django_db(transaction=True)
def test_serialize__our_transactions_take_the_copy_and_reach_sentry_valid(
    configure_sentry, teacher, settings, fast_path, monkeypatch
):
    """Real requests at traces 1.0: each transaction is copied, equals what the SDK's walk would
    have made of it, and reaches the receiver as an event Sentry's normaliser accepts."""
    compared: list[tuple[Any, Any]] = []
    fast = serializer.serialize

    def comparing(event: Any, **options: Any) -> Any:
        expected = sdk_serializer.serialize(copy.deepcopy(event), **options)
        result = fast(event, **options)
        compared.append((copy.deepcopy(result), expected))  # before the hooks change it
        return result

    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=1.0)
        monkeypatch.setattr(sentry_sdk.client, "serialize", comparing)
        settings.MONITORING_TOKEN = "scrape-token-0123456789abcdef"
        client = Client()
        client.get(
            "/sentry/status", headers={"Authorization": f"Bearer {settings.MONITORING_TOKEN}"}
        )
        client.get("/api/v1/content?limit=20", headers=bearer(teacher))
        body = {
            "subject": "science",
            "grade_level": 7,
            "learning_objectives": ["Describe the water cycle"],
            "content_type": "lesson",
            "complexity": "basic",
        }
        assert post_json(client, "/api/v1/content/generate", body, teacher).status_code == 201
        assert (
            post_json(client, "/api/v1/content/generate", {"subject": 7}, teacher).status_code
            == 422
        )
        client.get("/no/such/page")
        names = ["/sentry/status", "/api/v1/content", "/api/v1/content/generate"]
        for name in names:
            receiver.wait_for(transaction_named(name))
        sentry_sdk.flush()
        assert len(receiver.transactions) >= 5
        for transaction_event in receiver.transactions:
            assert relay_errors(transaction_event) == []
    finally:
        receiver.stop()
    assert len(compared) >= 5
    for result, expected in compared:
        assert result == expected
    assert all(fast_path) and len(fast_path) == len(compared)
    # Spans with their data went through the copy too (the lessons list's queries).
    assert any(event.get("spans") for event, _ in compared)
