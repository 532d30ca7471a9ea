"""With PII off, no username reaches Sentry or the log file, however short.

Children's usernames can be two or three letters. Known-value redaction only harvests values of
six characters or more, while a ``User`` reached events as the repr of a local (``<User: zoe>``)
and a login lookup's SQL parameters as the locals of Django's database frames
(``"params": ["'leo'"]``). These tests run the production server (gunicorn, PostgreSQL, Sentry
on a loopback receiver, JSON logs to a file) through the two scenarios where that was seen, a
database outage and 4xx reporting on, and look for the usernames in the raw envelope bytes
(events, transactions with their database spans, breadcrumbs, log items) and the log file.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.faults.support import postgres_available, postgres_settings, production_env, through
from tests.faults.tcp_proxy import TcpProxy
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import ServerDatabase, run_manage, start_gunicorn

pytestmark = pytest.mark.slow

# Usernames no other text of an event contains by accident.
STUDENT, TEACHER = "zq", "qxv"
PASSWORD = "a-long-enough-password-42"


@pytest.fixture
def database(tmp_path) -> Iterator[ServerDatabase]:
    """PostgreSQL, the production database (the local one when the suite runs on SQLite): the
    outage is a TCP proxy in front of it, which a SQLite file would not go through."""
    if not postgres_available():
        pytest.skip("no PostgreSQL to take down")
    database = ServerDatabase(tmp_path, postgres_settings())
    run_manage(database.url, "create_user", STUDENT, "--role", "student", "--password", PASSWORD)
    run_manage(database.url, "create_user", TEACHER, "--role", "teacher", "--password", PASSWORD)
    yield database
    database.drop()


def server_env(receiver: SentryReceiver, database_url: str, log_file: str) -> dict[str, str]:
    return production_env(
        DATABASE_URL=database_url,
        SENTRY_DSN=receiver.dsn,
        SENTRY_TRACES_SAMPLE_RATE="1.0",  # transactions with their database spans
        SENTRY_ENABLE_LOGS="true",
        SENTRY_LOGS_LEVEL="INFO",  # the login's INFO line must reach Sentry Logs, scrubbed
        LOG_FILE=log_file,
        LOG_LEVEL="INFO",
    )


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def assert_no_username(receiver: SentryReceiver, log_text: str) -> None:
    raw = receiver.raw_bytes
    assert raw, "nothing reached the receiver"
    for name in (STUDENT, TEACHER):
        at = raw.find(name.encode())
        assert at == -1, f"{name!r} reached Sentry: ...{raw[max(0, at - 300) : at + 100]!r}..."
        at = log_text.find(name)
        assert at == -1, (
            f"{name!r} reached the log file: ...{log_text[max(0, at - 300) : at + 100]}"
        )


def test_usernames__not_sent_with_4xx_reporting_on(tmp_path, database):
    run_manage(
        database.url,
        "shell",
        "-c",
        "from monitoring.models import MonitoringSettings; "
        "MonitoringSettings.objects.update_or_create("
        "pk=1, defaults={'report_client_errors': True})",
    )
    receiver = SentryReceiver().start()
    log_file = tmp_path / "app.log"
    server = start_gunicorn(
        tmp_path, server_env(receiver, database.url, str(log_file)), wait_path="/health"
    )
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            student = login(client, STUDENT).json()["access"]
            assert login(client, TEACHER).status_code == 200
            assert login(client, TEACHER, "wrong-password").status_code == 401
            auth = {"Authorization": f"Bearer {student}"}
            assert client.get("/api/v1/auth/me", headers=auth).status_code == 200
            # A student may not generate: the 403 is raised where the user is a local variable.
            quiz = {"subject": "mathematics", "grade_level": 6, "question_count": 5, "seed": 3}
            assert (
                client.post("/api/v1/quizzes/generate", json=quiz, headers=auth).status_code == 403
            )
            assert client.get("/api/v1/no-such-page", headers=auth).status_code == 404
        receiver.wait_for(lambda r: r.events and r.transactions and r.logs, timeout=15)
        # The rest of what the workers send, they send as they exit: server.stop() returns once
        # they have (the SDK's shutdown flush), so everything is in before the check below.
    finally:
        server.stop()
        receiver.stop()
    assert_no_username(receiver, log_file.read_text())


def test_usernames__not_sent_during_a_database_outage(tmp_path, database):
    proxy = TcpProxy(urlsplit(database.url).port or 5432).start()
    receiver = SentryReceiver().start()
    log_file = tmp_path / "app.log"
    server = start_gunicorn(
        tmp_path,
        server_env(receiver, through(proxy, database.url), str(log_file)),
        wait_path="/health",
    )
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            student = login(client, STUDENT).json()["access"]
            proxy.stop()  # returns once every connection is dropped and new ones are refused
            # The login lookup and the authenticated user's load both fail on the database.
            assert login(client, STUDENT).status_code == 503
            assert login(client, TEACHER).status_code == 503
            auth = {"Authorization": f"Bearer {student}"}
            assert client.get("/api/v1/auth/me", headers=auth).status_code == 503
        receiver.wait_for(lambda r: len(r.events) >= 2, timeout=15)
        # The rest is sent as the workers exit, before server.stop() returns.
    finally:
        server.stop()
        proxy.stop()
        receiver.stop()
    events = receiver.events
    assert any(frame.get("vars") for event in events for frame in frames_of(event))
    assert_no_username(receiver, log_file.read_text())


def frames_of(event: dict) -> Iterator[dict]:
    for value in (event.get("exception") or {}).get("values", []):
        yield from (value.get("stacktrace") or {}).get("frames", [])


# --- the causes, one by one ----------------------------------------------------------------------


def test_user__str_and_repr_name_no_username():
    from accounts.models import User

    user = User(pk=42, username=STUDENT, role="student")
    assert str(user) == "User 42 (student)"
    assert repr(user) == "<User 42 student>"


def test_known_values__short_account_names_redacted_as_whole_words():
    from monitoring.scrubbing import before_send

    def event() -> dict:
        return {
            "request": {"data": {"username": "leo"}},
            "exception": {"values": [{"type": "E", "value": "no user 'leo' (leo) in leopard"}]},
        }

    scrubbed = before_send(event(), {}, pii=False)
    assert scrubbed["exception"]["values"][0]["value"] == (
        "no user '[Filtered]' ([Filtered]) in leopard"
    )
    kept = before_send(event(), {}, pii=True)  # PII on: names are sent
    assert kept["exception"]["values"][0]["value"] == "no user 'leo' (leo) in leopard"


def test_sql_parameters__dropped_from_spans_crumbs_and_database_frames_with_pii_off():
    from monitoring.scrubbing import before_breadcrumb, before_send, before_send_transaction

    data = {"db.params": ["leo"], "db.paramstyle": "format", "db.system": "postgresql"}
    transaction = {"spans": [{"op": "db", "description": "SELECT ... = %s", "data": dict(data)}]}
    assert before_send_transaction(transaction, {}, pii=False)["spans"][0]["data"] == {
        "db.system": "postgresql"
    }
    crumb = {"category": "query", "message": "SELECT ... = %s", "data": dict(data)}
    assert before_breadcrumb(crumb, {}, pii=False)["data"] == {"db.system": "postgresql"}
    frame = {"module": "django.db.backends.utils", "function": "_execute", "vars": {"params": []}}
    app_frame = {"module": "quizzes.api", "function": "quiz_get", "vars": {"quiz_id": 3}}
    event = {"exception": {"values": [{"stacktrace": {"frames": [frame, app_frame]}}]}}
    frames = before_send(event, {}, pii=False)["exception"]["values"][0]["stacktrace"]["frames"]
    assert "vars" not in frames[0]
    assert frames[1]["vars"] == {"quiz_id": 3}
