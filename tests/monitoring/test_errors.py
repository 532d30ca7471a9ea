"""The error policy: client errors stay out of Sentry in production, server errors always go."""

import psycopg
import pytest
import sentry_sdk
from django.db import OperationalError
from django.http import Http404
from ninja.errors import HttpError

from monitoring.errors import ERRORS, classify_event, client_error_status, register_component
from tests.support.api import login_token
from tests.support.sentry_receiver import SentryReceiver

pytestmark = pytest.mark.django_db(transaction=True)


def counter(component: str, category: str, kind: str, reported: str) -> float:
    return ERRORS.labels(component, category, kind, reported)._value.get()


@pytest.fixture
def production_receiver(configure_sentry):
    receiver = SentryReceiver().start()
    configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
    yield receiver
    receiver.stop()


def test_policy__client_errors_send_no_event_in_production(
    production_receiver, http, probe_urls, teacher, settings
):
    settings.LOGIN_FAILURE_LIMIT = 2
    before = counter("accounts", "authentication", "client", "false")
    # 422: invalid body.
    assert http.post("/api/v1/auth/login", json={"username": "x"}).status_code == 422
    # 401 twice, then 429: throttled.
    for _ in range(2):
        bad = {"username": teacher.username, "password": "wrong"}
        assert http.post("/api/v1/auth/login", json=bad).status_code == 401
    throttled = http.post(
        "/api/v1/auth/login", json={"username": teacher.username, "password": "y"}
    )
    assert throttled.status_code == 429
    # 404 and a disallowed host (Django logs it at ERROR on django.security).
    assert http.get("/api/v1/nothing-here").status_code == 404
    assert http.get("/health", headers={"Host": "evil.example.com"}).status_code == 400
    # A real server error in the same run is still delivered.
    token_user = teacher
    settings.LOGIN_FAILURE_LIMIT = 100
    from django.core.cache import cache

    cache.clear()
    token = login_token(http, token_user)
    assert (
        http.post("/probe/boom", json={}, headers={"Authorization": f"Bearer {token}"}).status_code
        == 500
    )

    events = production_receiver.wait_for(lambda r: r.events)
    assert [e["exception"]["values"][-1]["type"] for e in events] == ["ProbeFailure"]
    assert counter("accounts", "authentication", "client", "false") >= before + 4


def test_policy__client_errors_are_events_in_development(sentry_receiver, http):
    response = http.post("/api/v1/auth/login", json={"username": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"
    event = sentry_receiver.wait_for(lambda r: r.events)[0]
    assert event["level"] == "warning"
    assert event["tags"]["http.status_code"] == "422"
    assert event["tags"]["component"] == "accounts"
    assert event["tags"]["error_category"] == "authentication"


def test_policy__unhandled_error_is_json_500_and_one_event(
    sentry_receiver, http, probe_urls, teacher
):
    token = login_token(http, teacher)
    response = http.post("/probe/boom", json={}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Internal server error",
        "request_id": response.headers["X-Request-ID"],
    }
    event_id = response.headers["X-Sentry-Event-ID"]
    events = sentry_receiver.wait_for(lambda r: r.events)
    assert [e["event_id"] for e in events] == [event_id]


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (HttpError(422, "bad"), 422),
        (HttpError(429, "slow down"), 429),
        (HttpError(503, "down"), None),
        (Http404(), 404),
        (ValueError("boom"), None),
    ],
)
def test_client_error_status__table(exc, status):
    assert client_error_status(exc) == status


def _classified(exc, url="http://testserver/api/v1/quizzes/generate", environment="production"):
    event = {"request": {"url": url}, "level": "error", "tags": {}}
    return classify_event(event, {"exc_info": (type(exc), exc, None)}, environment=environment)


def test_classify_event__category_from_exception_type_and_route():
    register_component("/api/v1/quizzes/", "quizzes", "content_generation")
    db_error = _classified(OperationalError("connection refused"))
    assert db_error["tags"] == {"component": "quizzes", "error_category": "database"}
    assert db_error["fingerprint"] == ["quizzes", "database", "OperationalError"]
    driver_error = _classified(psycopg.OperationalError("x"))  # the driver's own errors too
    assert driver_error["tags"]["error_category"] == "database"
    generic = _classified(RuntimeError("x"))
    assert generic["tags"]["error_category"] == "content_generation"
    unknown_route = _classified(RuntimeError("x"), url="http://testserver/elsewhere")
    assert unknown_route["tags"] == {"component": "app", "error_category": "application"}


def test_classify_event__explicit_marks_win_and_group_by_component():
    exc = RuntimeError("provider down")
    exc.error_category = "external_api"
    exc.sentry_component = "providers"
    exc.sentry_tags = {"service": "openai"}
    first = _classified(exc)
    second = _classified(RuntimeError("provider down again"))
    second_exc = RuntimeError("other message")
    second_exc.error_category, second_exc.sentry_component = "external_api", "providers"
    third = _classified(second_exc)
    assert first["tags"]["service"] == "openai"
    assert (
        first["fingerprint"]
        == third["fingerprint"]
        == ["providers", "external_api", "RuntimeError"]
    )
    assert second["fingerprint"] != first["fingerprint"]


def test_classify_event__client_error_dropped_in_production_kept_in_development():
    assert _classified(HttpError(403, "no")) is None
    kept = _classified(HttpError(403, "no"), environment="development")
    assert kept is not None and kept["tags"]["component"] == "quizzes"


def test_capture__no_event_reaches_receiver_for_dropped_client_error(production_receiver):
    try:
        raise Http404("nope")
    except Http404 as exc:
        assert sentry_sdk.capture_exception(exc) is None
    sentry_sdk.flush(2)
    assert production_receiver.events == []
