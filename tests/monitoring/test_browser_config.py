"""What the monitoring include tells a page's Sentry SDK (tests/monitoring/urls.py probe page)."""

from __future__ import annotations

import json
import re

import pytest

from monitoring import runtime
from monitoring.models import MonitoringSettings
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db


def page_config(client) -> dict | None:
    html = client.get("/probe-page/").content.decode()
    assert '<script src="/static/monitoring/browser-init.js"></script>' in html
    found = re.search(
        r'<script id="sentry-browser-config" type="application/json">(.*?)</script>', html
    )
    return json.loads(found.group(1)) if found else None


def test_browser_monitoring_include__students_never_get_replay_teachers_get_admin_rates(
    client, sentry_receiver, probe_urls
):
    MonitoringSettings.objects.create(
        replays_session_sample_rate=0.0, replays_on_error_sample_rate=0.5
    )
    runtime.invalidate()
    student = make_user("student", username="kid-with-a-name")
    teacher = make_user("teacher", username="teacher-with-a-name")

    client.force_login(student)
    for_student = page_config(client)
    client.force_login(teacher)
    for_teacher = page_config(client)
    client.logout()
    anonymous = page_config(client)

    assert for_student["replay"] is None and anonymous["replay"] is None
    assert for_teacher["replay"] == {"sessionSampleRate": 0.0, "onErrorSampleRate": 0.5}
    assert for_student["user"] == {"id": str(student.pk), "role": "student"}
    assert anonymous["user"] is None
    assert for_teacher["tunnel"] == "/api/v1/sentry-tunnel"
    assert for_teacher["dsn"] == sentry_receiver.dsn


def test_browser_monitoring_include__without_sentry_only_the_helper_script(client, probe_urls):
    html = client.get("/probe-page/").content.decode()

    assert page_config(client) is None
    assert "sentry.min.js" not in html and 'name="sentry-trace"' not in html


def test_csp__lets_the_sdk_reach_only_our_origin(client, probe_urls):
    policy = client.get("/probe-page/")["Content-Security-Policy"]

    assert "connect-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "worker-src 'self' blob:" in policy
