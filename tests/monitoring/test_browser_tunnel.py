"""The Sentry tunnel (POST /api/v1/sentry-tunnel) attacked and used through a real server: what
reaches the loopback Sentry receiver is scrubbed, attributed by the server, and valid."""

from __future__ import annotations

import gzip
import json
import time

import httpx
import pytest
import sentry_sdk

from monitoring.env import RateLimit
from tests.accounts.factories import make_user
from tests.monitoring.browser_support import (
    PLANTED_JWT,
    TUNNEL,
    browser_event,
    envelope_bytes,
    replay_items,
    session_cookies,
)
from tests.support.sentry_receiver import PROJECT_ID, PUBLIC_KEY, relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

USERNAME = "ada-lovelace-teacher"
EMAIL = "ada.teacher@example.com"


@pytest.fixture
def teacher(db):
    user = make_user("teacher", username=USERNAME, email=EMAIL)
    user.first_name, user.last_name = "Augusta", "Byron"
    user.save()
    return user


@pytest.fixture
def student(db):
    return make_user("student", username="bobby-student-tables")


def post(http: httpx.Client, body: bytes, cookies=None, **headers) -> httpx.Response:
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return http.post(
        TUNNEL, content=body, headers={"Content-Type": "text/plain;charset=UTF-8", **headers}
    )


def from_browser(receiver) -> list[dict]:
    """Error events that came through the tunnel (the server reports its own 4xx and logs to the
    same receiver in development)."""
    return [event for event in receiver.events if event.get("platform") == "javascript"]


def settle() -> None:
    """Everything the SDK queued has been sent (or failed)."""
    sentry_sdk.flush(timeout=5)


def test_sentry_tunnel__event_arrives_scrubbed_with_the_servers_user_and_valid(
    http, sentry_receiver, teacher, rate_limit
):
    event = browser_event(
        f"Failed for {USERNAME} <{EMAIL}> with token {PLANTED_JWT}, hi Augusta",
        user={"id": "999", "username": USERNAME, "email": EMAIL, "ip_address": "{{auto}}"},
        request={
            "url": f"http://127.0.0.1/probe-page/?email={EMAIL}",
            "headers": {
                "User-Agent": "Mozilla/5.0",
                "Cookie": "sessionid=abc123def456",
                "Referer": f"http://127.0.0.1/users/{USERNAME}/",
            },
        },
        breadcrumbs={"values": [{"category": "ui.input", "message": f"typed {EMAIL}"}]},
    )
    body = envelope_bytes(
        sentry_receiver.dsn,
        ("event", event),
        headers={"trace": {"trace_id": "a" * 32, "public_key": PUBLIC_KEY, "user_id": USERNAME}},
    )

    response = post(http, body, cookies=session_cookies(teacher))

    assert response.status_code == 200, response.text
    [arrived] = sentry_receiver.wait_for(from_browser)
    assert arrived["user"] == {"id": str(teacher.pk), "role": "teacher"}
    assert arrived["sdk"]["settings"]["infer_ip"] == "never"
    assert set(arrived["request"]["headers"]) == {"User-Agent"}
    assert arrived["contexts"]["trace"]["trace_id"] == "a" * 32  # still joined to its trace
    raw = sentry_receiver.raw_bytes
    for planted in (USERNAME.encode(), EMAIL.encode(), PLANTED_JWT.encode(), b"Augusta"):
        assert planted not in raw, planted
    assert b"{{auto}}" not in raw
    assert relay_errors(arrived) == []


def test_sentry_tunnel__a_failure_while_forwarding_never_sends_the_raw_envelope(
    http, sentry_receiver, teacher, rate_limit, monkeypatch
):
    """The envelope is only scrubbed while it is forwarded: an error on the way is reported
    without the request's body and without its frames' local variables (which hold it)."""

    def broken(**kwargs):
        raise RuntimeError("forwarding failed")

    monkeypatch.setattr("toolbox.sentry_tunnel.envelope_forward", broken)
    planted = "Augusta" + "Byron-" + "typed-this"  # not on this file's lines as one word
    event = browser_event(f"hi {planted}", breadcrumbs={"values": [{"message": planted}]})
    body = envelope_bytes(sentry_receiver.dsn, ("event", event))

    response = post(http, body, cookies=session_cookies(teacher))

    assert response.status_code == 500
    [error] = sentry_receiver.wait_for(
        lambda r: [e for e in r.events if e.get("exception") and e.get("platform") == "python"]
    )
    assert error["transaction"] == "/api/v1/sentry-tunnel"
    assert "data" not in error["request"]
    assert not [f for v in error["exception"]["values"] for f in v["stacktrace"]["frames"]
                if "vars" in f]  # fmt: skip
    settle()
    assert planted.encode() not in sentry_receiver.raw_bytes


@pytest.mark.parametrize(
    "dsn",
    [
        "http://ffffffffffffffffffffffffffffffff@127.0.0.1:{port}/42",  # another key
        "http://" + PUBLIC_KEY + "@127.0.0.1:{port}/43",  # another project
        "http://" + PUBLIC_KEY + "@sentry.example.com/42",  # another host
        "not a dsn",
    ],
)
def test_sentry_tunnel__foreign_dsn_is_refused_and_nothing_is_forwarded(
    http, sentry_receiver, rate_limit, dsn
):
    body = envelope_bytes(dsn.format(port=sentry_receiver.port), ("event", browser_event("x")))

    response = post(http, body)

    assert response.status_code == 403
    assert response.json() == {"detail": "Envelope is not for this project"}
    settle()
    assert from_browser(sentry_receiver) == []
    assert b'"javascript"' not in sentry_receiver.raw_bytes


def test_sentry_tunnel__oversize_and_compressed_bodies_are_refused(
    http, sentry_receiver, rate_limit, settings
):
    settings.SENTRY_TUNNEL_MAX_BYTES = 4096
    big = browser_event("y" * 5000)

    too_large = post(http, envelope_bytes(sentry_receiver.dsn, ("event", big)))
    compressed = post(
        http,
        gzip.compress(envelope_bytes(sentry_receiver.dsn, ("event", browser_event("z")))),
        **{"Content-Encoding": "gzip"},
    )

    assert too_large.status_code == 413 and "detail" in too_large.json()
    assert compressed.status_code == 415 and "detail" in compressed.json()
    settle()
    assert b'"javascript"' not in sentry_receiver.raw_bytes


def test_sentry_tunnel__a_flood_from_one_client_gets_429(
    http, sentry_receiver, rate_limit, settings
):
    settings.SENTRY_TUNNEL_CLIENT_RATE_LIMIT = RateLimit(3, 3600)
    body = envelope_bytes(sentry_receiver.dsn, ("event", browser_event("flood")))

    statuses = [post(http, body).status_code for _ in range(5)]
    refused = post(http, body)

    assert statuses == [200, 200, 200, 429, 429]
    assert int(refused.headers["Retry-After"]) >= 1
    sentry_receiver.wait_for(lambda r: len(from_browser(r)) == 3)
    settle()
    assert len(from_browser(sentry_receiver)) == 3


def test_sentry_tunnel__a_students_replay_is_dropped_and_a_teachers_is_masked(
    http, sentry_receiver, teacher, student, rate_limit
):
    student_body = envelope_bytes(
        sentry_receiver.dsn,
        ("event", browser_event("student error")),
        *replay_items("bobby typed bobby@example.com"),
    )
    teacher_body = envelope_bytes(sentry_receiver.dsn, *replay_items(f"mail {EMAIL} now"))

    from_student = post(http, student_body, cookies=session_cookies(student))
    from_anonymous = post(http, student_body)
    from_teacher = post(http, teacher_body, cookies=session_cookies(teacher))

    assert (from_student.status_code, from_anonymous.status_code) == (200, 200)
    assert from_teacher.status_code == 200
    sentry_receiver.wait_for(lambda r: len(from_browser(r)) == 2 and r.items("replay_recording"))
    settle()
    [recording] = sentry_receiver.items("replay_recording")  # the teacher's only
    assert len(sentry_receiver.items("replay_event")) == 1
    assert EMAIL.encode() not in recording and b"[Filtered]" in recording
    assert b"bobby@example.com" not in sentry_receiver.raw_bytes
    assert [event.get("user") for event in from_browser(sentry_receiver)] == [
        {"id": str(student.pk), "role": "student"},
        None,
    ]


def test_sentry_tunnel__forwarded_and_dropped_envelopes_are_counted_in_metrics(
    http, sentry_receiver, rate_limit
):
    before = http.get("/metrics").json()["browser_envelopes"]
    good = envelope_bytes(sentry_receiver.dsn, ("event", browser_event("counted")))
    foreign = envelope_bytes(f"http://{PUBLIC_KEY}@127.0.0.1:1/{PROJECT_ID + 1}", ("event", {}))
    only_attachment = envelope_bytes(sentry_receiver.dsn, ("attachment", b"secret file"))

    statuses = [post(http, body).status_code for body in (good, foreign, only_attachment)]
    malformed = post(http, b"{not json\n")

    assert statuses == [200, 403, 200]
    assert malformed.status_code == 400
    after = http.get("/metrics").json()["browser_envelopes"]
    assert after["forwarded"] - before["forwarded"] == 1
    for reason in ("foreign_dsn", "nothing_to_forward", "malformed"):
        gained = after["dropped_by_reason"].get(reason, 0)
        assert gained - before["dropped_by_reason"].get(reason, 0) == 1, reason
    assert after["items_dropped"]["attachment:unsupported_type"] >= 1
    prometheus = http.get("/metrics", headers={"Accept": "text/plain"}).text
    assert 'toolbox_browser_envelopes_total{outcome="forwarded",reason="ok"}' in prometheus


def test_sentry_tunnel__without_sentry_answers_404_and_sends_nothing(http, rate_limit):
    body = envelope_bytes("http://k@127.0.0.1:1/42", ("event", browser_event("off")))

    response = post(http, body)

    assert response.status_code == 404
    assert response.json() == {"detail": "Browser monitoring is off"}


def test_sentry_tunnel__anonymous_post_never_waits_for_a_hanging_sentry(
    http, configure_sentry, rate_limit
):
    from tests.support.sentry_receiver import HangingServer

    hanging = HangingServer().start()
    try:
        dsn = f"http://{PUBLIC_KEY}@127.0.0.1:{hanging.port}/{PROJECT_ID}"
        configure_sentry("development", dsn=dsn)
        body = envelope_bytes(dsn, ("event", browser_event("slow sentry")))
        started = time.monotonic()
        statuses = [post(http, body).status_code for _ in range(3)]
        elapsed = time.monotonic() - started
    finally:
        hanging.stop()
    assert statuses == [200, 200, 200]
    assert elapsed < 2.0 * 3  # each send alone would wait for the transport's 2 s timeout
    assert json.loads(post(http, b"\n").text)["detail"] == "Empty envelope"
