"""monitoring/middleware.py: request id, request and user context on what a real server sends."""

import pytest

from tests.support.api import login_token
from tests.support.envelopes import error_events
from tests.support.sentry_receiver import SentryReceiver, relay_errors

pytestmark = pytest.mark.django_db(transaction=True)


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


def test_user_context__async_view(sentry_receiver, http, probe_urls, teacher):
    token = login_token(http, teacher)
    response = http.get("/probe/async-boom", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    event = sentry_receiver.wait_for(error_events)[0]
    assert event["exception"]["values"][-1]["value"] == "async probe failed"
    assert event["user"]["id"] == str(teacher.pk)
    assert event["user"]["role"] == "teacher"
    assert event["tags"]["request_id"] == response.headers["X-Request-ID"]
