"""Monitoring settings changed in the admin reach every worker within seconds."""

import concurrent.futures
import re
import time
from datetime import datetime

import httpx
import pytest
from django.conf import settings as django_settings

from monitoring import runtime
from monitoring.models import MonitoringSettings, RouteSampleRate
from tests.accounts.factories import make_user
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import ServerDatabase, run_manage, start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PASSWORD = "admin-e2e-password-123"


def admin_login(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/admin/login/")
    token = client.cookies["csrftoken"]
    response = client.post(
        "/admin/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": str(client.base_url) + "/admin/login/"},
    )
    assert response.status_code == 302, page.text[:200]


def settings_form(**overrides) -> dict[str, str]:
    form = {
        "traces_sample_rate": "",
        "profiles_sample_rate": "",
        "never_traced_paths": "",
        "report_client_errors": "unknown",
        "alert_error_rate": "0.05",
        "alert_window_minutes": "5",
        "alert_p95_ms": "2000",
        "alert_min_requests": "20",
        "replays_session_sample_rate": "0",
        "replays_on_error_sample_rate": "1",
        "route_rates-TOTAL_FORMS": "0",
        "route_rates-INITIAL_FORMS": "0",
        "route_rates-MIN_NUM_FORMS": "0",
        "route_rates-MAX_NUM_FORMS": "1000",
    }
    form.update(overrides)
    return form


def post_settings(client: httpx.Client, form: dict[str, str]) -> httpx.Response:
    add_url = "/admin/monitoring/monitoringsettings/add/"
    client.get(add_url)
    form = {**form, "csrfmiddlewaretoken": client.cookies["csrftoken"]}
    return client.post(add_url, data=form, headers={"Referer": str(client.base_url) + add_url})


def started(transaction: dict) -> float:
    """A transaction's start as a Unix time (the SDK sends an ISO 8601 string or a number)."""
    stamp = transaction["start_timestamp"]
    if isinstance(stamp, int | float):
        return float(stamp)
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


@pytest.fixture
def server_db(tmp_path, django_db_blocker):
    database = ServerDatabase(tmp_path, django_settings.DATABASES["default"])
    yield database
    database.drop()


def test_admin_change__reaches_every_gunicorn_worker_within_five_seconds(tmp_path, server_db):
    receiver = SentryReceiver().start()
    run_manage(server_db.url, "create_user", "ops", "--role", "admin", "--password", ADMIN_PASSWORD)
    server = start_gunicorn(
        tmp_path,
        {
            "DATABASE_URL": server_db.url,
            "SENTRY_DSN": receiver.dsn,
            "SENTRY_TRACES_SAMPLE_RATE": "0",
            "SENTRY_PROFILES_SAMPLE_RATE": "0",
            "LOG_FILE": "",
        },
        workers=4,
        wait_path="/health",
    )
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: server.get("/sentry/status"), range(40)))
        rate_zero_until = time.time()  # wall clock, as the SDK stamps transactions

        with httpx.Client(base_url=server.url, timeout=10) as admin:
            admin_login(admin, "ops", ADMIN_PASSWORD)
            response = post_settings(admin, settings_form(traces_sample_rate="1.0"))
            assert response.status_code == 302, response.text[:2000]
        changed_at = time.monotonic()

        pids: set[int] = set()
        while time.monotonic() - changed_at < 5.0 and len(pids) < 4:
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda _: server.get("/sentry/status"), range(16)))
            receiver_pids = {
                t["contexts"]["application"]["process_id"]
                for t in receiver.transactions
                if t["transaction"] == "/sentry/status"
            }
            pids |= receiver_pids
            time.sleep(0.1)
        assert len(pids) == 4, f"only workers {pids} traced within 5 s"
        # Rate 0: nothing traced before the change. Each worker sends its envelopes one at a
        # time, in order, so now that every worker has delivered a later transaction, one from
        # the requests above would be in already.
        early = [t for t in receiver.transactions if started(t) < rate_zero_until]
        assert early == []
        log = server.log()
        assert "Traceback" not in log, log
    finally:
        server.stop()
        receiver.stop()


def test_admin_form__validates_rates_and_thresholds(client):
    admin = make_user("admin", username="form-admin")
    client.force_login(admin)
    url = "/admin/monitoring/monitoringsettings/add/"
    response = client.post(
        url,
        settings_form(
            traces_sample_rate="1.5",
            profiles_sample_rate="-0.1",
            alert_error_rate="0",
            alert_p95_ms="0",
            never_traced_paths="/api/v1/internal/\nno-slash",
            replays_session_sample_rate="2",
            replays_on_error_sample_rate="-1",
        ),
    )
    assert response.status_code == 200  # the form again, with errors
    errors = response.context["adminform"].form.errors
    assert "less than or equal to 1.0" in errors["traces_sample_rate"][0]
    assert "greater than or equal to 0.0" in errors["profiles_sample_rate"][0]
    assert errors["alert_error_rate"]
    assert errors["alert_p95_ms"]
    assert "less than or equal to 1.0" in errors["replays_session_sample_rate"][0]
    assert "greater than or equal to 0.0" in errors["replays_on_error_sample_rate"][0]
    assert MonitoringSettings.objects.count() == 0

    response = client.post(url, settings_form(never_traced_paths="no-slash"))
    assert "starts with" in response.context["adminform"].form.errors["never_traced_paths"][0]

    response = client.post(
        url,
        settings_form(
            traces_sample_rate="0.25",
            **{
                "route_rates-TOTAL_FORMS": "1",
                "route_rates-0-path_prefix": "/api/v1/quizzes/",
                "route_rates-0-traces_sample_rate": "1",
            },
        ),
    )
    assert response.status_code == 302
    row = MonitoringSettings.objects.get()
    assert row.updated_by == admin
    assert RouteSampleRate.objects.get().path_prefix == "/api/v1/quizzes/"
    runtime.invalidate()
    current = runtime.current()
    assert current.traces_rate_for("/api/v1/quizzes/generate", 1.0) == 1.0
    assert current.traces_rate_for("/api/v1/content/generate", 1.0) == 0.25
    # Admin history records who changed what.
    from django.contrib.admin.models import LogEntry

    entry = LogEntry.objects.get()
    assert entry.user == admin


def test_effective_configuration_page__values_sources_and_masked_dsn(client, configure_sentry):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("staging", dsn=receiver.dsn)
        MonitoringSettings.objects.create(traces_sample_rate=0.5)
        runtime.invalidate()
        client.force_login(make_user("admin", username="viewer"))
        response = client.get("/admin/monitoring/effectivesentryconfiguration/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "0123456789abcdef" not in html  # the DSN's public key
        assert re.search(r"http://\*\*\*@127\.0\.0\.1:\d+/42", html)
        rows = dict(
            (name, (value, source))
            for name, value, source in re.findall(
                r"<tr><td>(.*?)</td><td><code>(.*?)</code></td><td>(.*?)</td></tr>", html
            )
        )
        assert rows["Traces sample rate"] == ("0.5", "admin override")
        assert rows["Profiles sample rate"][1] in ("environment default", "environment variable")
        assert rows["SDK version"][0] == __import__("sentry_sdk").VERSION
        assert "django" in rows["Active integrations"][0]
    finally:
        receiver.stop()
        runtime.invalidate()


def test_runtime__a_database_error_keeps_the_last_settings(monkeypatch):
    MonitoringSettings.objects.create(traces_sample_rate=0.3)
    runtime.invalidate()
    assert runtime.current().traces_sample_rate == 0.3

    def broken():
        raise RuntimeError("database down")

    monkeypatch.setattr(runtime, "load", broken)
    runtime.invalidate()
    assert runtime.current().traces_sample_rate == 0.3
