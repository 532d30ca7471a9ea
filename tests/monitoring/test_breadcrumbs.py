"""Signal-driven breadcrumbs, checked on events that reached the receiver."""

import signal
import time

import pytest
import sentry_sdk
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection, connections
from django.db.models.signals import post_delete, post_save

from accounts.models import Classroom
from monitoring import breadcrumbs
from tests.support.api import login_token
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def crumbs_of(receiver, category=None):
    event = receiver.wait_for(lambda r: r.events)[-1]
    values = event["breadcrumbs"]["values"]
    return [c for c in values if category is None or c["category"] == category]


def test_receivers__connecting_twice_records_once(sentry_receiver, teacher):
    breadcrumbs.connect_receivers()
    breadcrumbs.connect_receivers()
    with sentry_sdk.isolation_scope():
        user_logged_in.send(sender=type(teacher), request=None, user=teacher)
        sentry_sdk.capture_message("after login")
    logged_in = [c for c in crumbs_of(sentry_receiver, "auth") if c["message"] == "User logged in"]
    assert len(logged_in) == 1
    assert logged_in[0]["data"] == {"user_id": str(teacher.pk), "role": "teacher"}


def test_login_failed__reason_and_hashed_username_never_the_password(sentry_receiver):
    with sentry_sdk.isolation_scope():
        user_login_failed.send(
            sender=None,
            credentials={"username": "little-timmy", "password": "********************"},
            request=None,
        )
        sentry_sdk.capture_message("after failure")
    crumb = crumbs_of(sentry_receiver, "auth")[-1]
    assert crumb["message"] == "Login failed"
    assert crumb["level"] == "warning"
    assert crumb["data"]["reason"] == "invalid_credentials"
    assert crumb["data"]["user_fingerprint"] == breadcrumbs.username_fingerprint("little-timmy")
    assert b"little-timmy" not in sentry_receiver.raw_bytes


def test_content_registry__create_update_delete_become_content_breadcrumbs(
    sentry_receiver, teacher
):
    breadcrumbs.track_content_model(Classroom, "classroom")
    breadcrumbs.track_content_model(Classroom, "classroom")  # opting in twice records once
    try:
        with sentry_sdk.isolation_scope():
            classroom = Classroom.objects.create(name="4B", teacher=teacher)
            classroom.name = "4C"
            classroom.save()
            pk = classroom.pk
            classroom.delete()
            sentry_sdk.capture_message("content changed")
        content = crumbs_of(sentry_receiver, "content")
        assert [(c["message"], c["data"]["id"]) for c in content] == [
            ("classroom created", str(pk)),
            ("classroom updated", str(pk)),
            ("classroom deleted", str(pk)),
        ]
        assert Classroom in breadcrumbs.tracked_content_models()
    finally:
        post_save.disconnect(sender=Classroom, dispatch_uid="monitoring-save-classroom")
        post_delete.disconnect(sender=Classroom, dispatch_uid="monitoring-delete-classroom")
        breadcrumbs._content_models.pop(Classroom, None)
        breadcrumbs._generated_models.discard(Classroom)


def test_database_connection__becomes_a_db_breadcrumb(sentry_receiver):
    fresh = connections.create_connection("default")
    with sentry_sdk.isolation_scope():
        fresh.ensure_connection()  # what every new request's first query does
        sentry_sdk.capture_message("after connecting")
    fresh.close()
    db = crumbs_of(sentry_receiver, "db")
    assert db[-1]["message"] == "Database connection opened"
    assert db[-1]["data"]["vendor"] == connection.vendor


def test_request_lifecycle__an_error_starts_with_its_requests_started_breadcrumb(
    sentry_receiver, http, probe_urls, teacher
):
    token = login_token(http, teacher)
    http.post("/probe/boom", json={}, headers={"Authorization": f"Bearer {token}"})
    requests = [c["message"] for c in crumbs_of(sentry_receiver, "request")]
    assert requests == ["POST /probe/boom started"]  # the login request's crumbs stayed there
    [event] = [e for e in sentry_receiver.events if e.get("exception")]
    crumbs = [c for c in event["breadcrumbs"]["values"] if c["category"] in ("request", "auth")]
    assert [c["category"] for c in crumbs] == ["request", "auth"]  # in the order they happened
    assert crumbs[0]["data"] == {"method": "POST", "path": "/probe/boom"}


def test_startup__config_summary_on_every_later_event(sentry_receiver):
    try:
        breadcrumbs.record_startup()
        sentry_sdk.capture_message("later")
        crumb = next(
            c
            for c in crumbs_of(sentry_receiver, "app.lifecycle")
            if c["message"] == "Application started"
        )
        summary = crumb["data"]
        assert summary["environment"] == "development"
        assert summary["release"] == "toolbox@9.9.9-test"
        assert summary["traces_sample_rate"] == 1.0
        assert "dsn" not in summary
        assert sentry_receiver.dsn.encode() not in sentry_receiver.raw_bytes
    finally:
        sentry_sdk.get_global_scope().clear_breadcrumbs()


def test_lifecycle__gunicorn_worker_reports_startup_and_sigterm_shutdown(tmp_path):
    receiver = SentryReceiver().start()
    try:
        server = start_gunicorn(
            tmp_path, {"SENTRY_DSN": receiver.dsn, "SENTRY_ENABLE_LOGS": "true", "LOG_FILE": ""}
        )
        assert server.get("/sentry/status").json()["initialized"] is True
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=15)
        shutdown_seconds = time.monotonic() - started
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            bodies = [log["body"] for log in receiver.logs]
            if "application shutting down" in bodies:
                break
            time.sleep(0.05)
        bodies = [log["body"] for log in receiver.logs]
        assert "application started" in bodies
        assert "application shutting down" in bodies
        assert shutdown_seconds < 5, server.log()
    finally:
        receiver.stop()
