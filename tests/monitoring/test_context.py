"""Request and user context on events that reach a real receiver through a real server."""

import json

import pytest
import sentry_sdk
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from monitoring.context import resolved_user, sentry_manager
from tests.support.api import login_token
from tests.support.sentry_receiver import SentryReceiver, relay_errors

pytestmark = pytest.mark.django_db(transaction=True)


def error_events(receiver):
    return [e for e in receiver.events if e.get("exception")]


def test_request_context__login_failed_login_and_error_carry_context(
    sentry_receiver, http, probe_urls, teacher
):
    failed = http.post("/api/v1/auth/login", json={"username": teacher.username, "password": "x"})
    assert failed.status_code == 401
    token = login_token(http, teacher)
    response = http.post(
        "/probe/boom",
        json={"note": "hello"},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-abc_123"},
    )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-abc_123"
    assert response.json()["detail"] == "Internal server error"

    events = sentry_receiver.wait_for(
        lambda r: [e for e in error_events(r) if e["tags"].get("request_id") == "req-abc_123"]
    )
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "ProbeFailure"
    # Who: the opaque id and role, nothing that identifies a child.
    assert event["user"]["id"] == str(teacher.pk)
    assert event["user"]["role"] == "teacher"
    assert "permissions" in event["user"]
    assert "last_active" in event["user"]
    for personal in ("username", "email", "ip_address"):
        assert personal not in event["user"]
    # Where and what.
    assert event["tags"]["component"] == "probe"
    assert event["tags"]["error_category"] == "content_generation"
    assert event["tags"]["user.role"] == "teacher"
    assert event["fingerprint"] == ["probe", "content_generation", "ProbeFailure"]
    details = event["contexts"]["request_details"]
    assert details["request_id"] == "req-abc_123"
    assert details["method"] == "POST"
    assert details["route"] == "/probe/boom"
    assert details["user_agent"].startswith("python-httpx")
    assert "client_ip" not in details
    assert event["contexts"]["application"]["environment"] == "development"
    auth_crumbs = [c for c in event["breadcrumbs"]["values"] if c["category"] == "auth"]
    assert auth_crumbs[-1]["message"] == "Request authenticated"
    assert auth_crumbs[-1]["data"] == {
        "user_id": str(teacher.pk),
        "role": "teacher",
        "method": "jwt",
    }
    assert relay_errors(event) == []

    # The failed login (a 401: reported in development only) carries the auth breadcrumb,
    # with the username as a salted hash.
    failed_events = [
        e for e in sentry_receiver.events if e["tags"].get("http.status_code") == "401"
    ]
    assert failed_events
    crumb = next(
        c for c in failed_events[0]["breadcrumbs"]["values"] if c["message"] == "Login failed"
    )
    assert crumb["category"] == "auth"
    assert crumb["data"]["reason"] == "invalid_credentials"
    assert crumb["data"]["user_fingerprint"].startswith("sha256:")
    assert "username" not in crumb["data"]
    assert teacher.username.encode() not in sentry_receiver.raw_bytes
    assert teacher.email.encode() not in sentry_receiver.raw_bytes

    # The successful login reached Sentry Logs with the opaque id only.
    logs = sentry_receiver.wait_for(
        lambda r: [log for log in r.logs if log["body"] == "user logged in"]
    )
    assert logs[0]["attributes"]["user_id"]["value"] == str(teacher.pk)


def test_request_context__transaction_records_status_and_response_time(
    sentry_receiver, http, probe_urls, teacher
):
    token = login_token(http, teacher)
    assert http.get("/probe/ok", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    transaction = sentry_receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"] == "/probe/ok"]
    )[0]
    data = transaction["contexts"]["trace"]["data"]
    assert data["http.response.status_code"] == 200
    assert data["http.response_time_ms"] > 0
    assert transaction["user"]["id"] == str(teacher.pk)
    assert transaction["tags"]["request_id"]
    assert relay_errors(transaction) == []


def test_user_context__pii_on_adds_username_email_and_ip(
    configure_sentry, http, probe_urls, teacher
):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("development", dsn=receiver.dsn, send_default_pii=True)
        token = login_token(http, teacher)
        http.post("/probe/boom", json={}, headers={"Authorization": f"Bearer {token}"})
        event = receiver.wait_for(error_events)[0]
        assert event["user"]["username"] == teacher.username
        assert event["user"]["email"] == teacher.email
        assert event["user"]["ip_address"] == "127.0.0.1"
        assert event["contexts"]["request_details"]["client_ip"] == "127.0.0.1"
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    ("inbound", "echoed"),
    [("abc-DEF_123", True), ("x" * 64, True), ("x" * 65, False), ("bad id!", False), ("", False)],
)
def test_request_id__inbound_validated_and_echoed(http, inbound, echoed):
    response = http.get("/health", headers={"X-Request-ID": inbound})
    returned = response.headers["X-Request-ID"]
    if echoed:
        assert returned == inbound
    else:
        assert returned != inbound
        assert len(returned) == 32 and returned.isalnum()


def test_resolved_user__never_forces_a_lazy_session_user(teacher):
    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    AuthenticationMiddleware(lambda r: None).process_request(request)
    assert resolved_user(request) is None
    assert request.user._wrapped.__class__.__name__ == "object"  # still unevaluated
    request.user.is_authenticated  # noqa: B018  (the view evaluates it)
    assert resolved_user(request) is None  # anonymous
    request.user = teacher
    assert resolved_user(request) == teacher


def test_user_context__async_view(sentry_receiver, http, probe_urls, teacher):
    token = login_token(http, teacher)
    response = http.get("/probe/async-boom", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    event = sentry_receiver.wait_for(error_events)[0]
    assert event["exception"]["values"][-1]["value"] == "async probe failed"
    assert event["user"]["id"] == str(teacher.pk)
    assert event["user"]["role"] == "teacher"
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]


def test_sentry_manager__facade_obeys_the_pii_rule(sentry_receiver):
    import sentry_sdk

    with sentry_sdk.isolation_scope():
        sentry_manager.set_user_context(
            user_id="user-123", username="john_doe", email="john@example.com", role="teacher"
        )
        sentry_manager.set_context(
            "quiz_generation",
            {"subject": "Mathematics", "difficulty": "medium", "question_count": 10},
        )
        sentry_manager.add_breadcrumb(
            message="Quiz generation started",
            category="quiz",
            level="info",
            data={"subject": "Mathematics", "email": "john@example.com"},
        )
        sentry_sdk.capture_message("facade check")
    event = sentry_receiver.wait_for(lambda r: r.events)[0]
    assert event["user"] == {"id": "user-123", "role": "teacher"}
    assert event["tags"]["user.role"] == "teacher"
    assert event["contexts"]["quiz_generation"]["question_count"] == 10
    crumb = event["breadcrumbs"]["values"][-1]
    assert (crumb["message"], crumb["category"]) == ("Quiz generation started", "quiz")
    assert crumb["data"] == {"subject": "Mathematics"}
    assert b"john" not in sentry_receiver.raw_bytes


def test_sentry_manager__no_op_without_sentry(configure_sentry):
    """Set while Sentry is off, nothing lingers on the scope to reach a later event (a request
    served before Sentry came up must not lend its user to the next error)."""
    configure_sentry("development", dsn="")
    assert not sentry_sdk.get_client().is_active()
    receiver = SentryReceiver().start()
    try:
        with sentry_sdk.isolation_scope():
            sentry_manager.set_user_context(user_id=1, role="student")
            sentry_manager.set_context("lingering", {"a": 1})
            sentry_manager.add_breadcrumb(message="lingering crumb")
            configure_sentry("development", dsn=receiver.dsn)
            sentry_sdk.capture_message("after sentry came up")
        event = receiver.wait_for(lambda r: r.events)[0]
    finally:
        receiver.stop()
    assert event["message"] == "after sentry came up"
    assert "user" not in event
    assert "user.role" not in event.get("tags", {})
    assert "lingering" not in event.get("contexts", {})
    crumbs = (event.get("breadcrumbs") or {}).get("values") or []
    assert "lingering crumb" not in [crumb.get("message") for crumb in crumbs]


def test_logs__json_lines_carry_request_trace_user_and_role(
    sentry_receiver, http, probe_urls, teacher, log_file
):
    token = login_token(http, teacher)
    http.get("/probe/ok", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "log-req-1"})
    records = [r for r in log_file.records() if r.get("event") == "probe ok"]
    assert records, log_file.text()
    record = records[0]
    assert record["request_id"] == "log-req-1"
    assert record["user_id"] == str(teacher.pk)
    assert record["role"] == "teacher"
    assert len(record["trace_id"]) == 32
    assert record["level"] == "info"
    assert record["logger"] == "tests.probe"
    assert json.loads(json.dumps(record)) == record
