"""Request and user context on events that reach a real receiver through a real server."""

import json

import pytest
import sentry_sdk
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from monitoring.facade import sentry_manager
from monitoring.users import resolved_user
from tests.support.api import login_token
from tests.support.sentry_receiver import SentryReceiver

pytestmark = pytest.mark.django_db(transaction=True)


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
