"""The admin dashboard: who may see it, what it counts, what it hides, and its history."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram

from accounts.models import Role
from lessons.services import lesson_generate
from monitoring.metrics.registry import LATENCY_BUCKETS
from monitoring.models import MetricsSnapshot
from monitoring.services import metrics_snapshot_reset, metrics_snapshot_take, metrics_summary
from quizzes.models import Quiz
from quizzes.services import quiz_attempt_submit, quiz_generate
from tests.accounts.factories import make_user
from tests.support.servers import ServerDatabase, run_manage, start_gunicorn

pytestmark = [pytest.mark.django_db]

URL = "/admin/monitoring/metricssnapshot/"


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.OPENAI_API_KEY = ""
    metrics_snapshot_reset()
    yield
    metrics_snapshot_reset()


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(Role.ADMIN))
    return client


def charts(response) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html)
    assert found, "the page carries its chart data"
    return json.loads(found.group(1))


def quiz_with_attempts(students: int, *, subject: str = "science", grade: int = 3) -> Quiz:
    quiz = quiz_generate(
        owner_id=make_user(Role.TEACHER).pk,
        subject=subject,
        grade_level=grade,
        difficulty="easy",
        question_count=4,
    )
    for _ in range(students):
        quiz_attempt_submit(quiz=quiz, student=make_user(Role.STUDENT), answers=[0, 1, 2, 3])
    return quiz


def test_dashboard__anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_dashboard__non_staff_is_refused(client):
    for role in (Role.TEACHER, Role.STUDENT):
        client.force_login(make_user(role))
        response = client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_dashboard__linked_from_the_admin_index(staff_client):
    index = staff_client.get("/admin/").content.decode()
    assert f'href="{URL}"' in index
    assert ">Dashboard<" in index


def test_dashboard__staff_without_model_permissions_sees_it(client):
    staff = make_user(Role.TEACHER)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get(URL).status_code == 200


def test_dashboard__scores_of_four_students_are_hidden(staff_client):
    quiz_with_attempts(4)
    response = staff_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Scores: Science, grade 3: fewer than 5 students" in html
    assert "Quiz attempts over time: hidden, fewer than 5 students" in html
    data = charts(response)
    assert not [key for key in data if key.startswith("scores-") or key == "quiz-attempts"]


def test_dashboard__scores_of_five_students_are_drawn(staff_client):
    quiz_with_attempts(5)
    quiz_with_attempts(2, subject="history", grade=7)  # a small group beside a large one
    response = staff_client.get(URL)
    html = response.content.decode()
    data = charts(response)
    scores = data["scores-science-3"]
    assert sum(scores["series"][0]["values"]) == 5
    assert "5 students" in scores["title"]
    assert sum(data["quiz-attempts"]["series"][0]["values"]) == 7  # 7 students in all
    assert "Scores: History, grade 7: fewer than 5 students" in html
    assert "scores-history-7" not in data


def test_dashboard__time_ranges_count_what_happened_in_them(staff_client):
    teacher = make_user(Role.TEACHER)
    lessons = [
        lesson_generate(
            owner_id=teacher.pk,
            subject="science",
            grade_level=4,
            learning_objectives=["Name the planets"],
            content_type="lesson",
            complexity="basic",
        )
        for _ in range(3)
    ]
    type(lessons[0]).objects.filter(pk=lessons[0].pk).update(
        created_at=timezone.now() - timedelta(hours=3)
    )
    type(lessons[1]).objects.filter(pk=lessons[1].pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )

    def lessons_in(range_name: str) -> int:
        data = charts(staff_client.get(URL, {"range": range_name}))
        series = {s["label"]: s["values"] for s in data["content-over-time"]["series"]}
        return sum(series["lessons"])

    assert lessons_in("hour") == 1
    assert lessons_in("day") == 2
    assert lessons_in("week") == 3
    hour = charts(staff_client.get(URL, {"range": "hour"}))["content-over-time"]
    assert len(hour["x"]) == 12 and hour["x"][1] - hour["x"][0] == 300
    assert staff_client.get(URL, {"range": "month"}).status_code == 400
    assert staff_client.get(URL, {"range": "day", "q": "x"}).status_code == 400


def registry_with(*, requests: int, errors: int = 0, seconds: float = 0.05) -> CollectorRegistry:
    """A registry with the app's request metrics, as one host's scrape would give them."""
    registry = CollectorRegistry()
    counter = Counter(
        "toolbox_http_requests",
        "",
        ["route", "method", "status_class", "component"],
        registry=registry,
    )
    histogram = Histogram(
        "toolbox_http_request_duration_seconds",
        "",
        ["route"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    counter.labels("/api/v1/quizzes", "GET", "2xx", "quizzes").inc(requests - errors)
    if errors:
        counter.labels("/api/v1/quizzes", "GET", "5xx", "quizzes").inc(errors)
    for _ in range(requests):
        histogram.labels("/api/v1/quizzes").observe(seconds)
    return registry


def snapshot(source: str, minutes_ago: float, **figures) -> None:
    MetricsSnapshot.objects.create(
        source=source,
        taken_at=timezone.now() - timedelta(minutes=minutes_ago),
        data=metrics_summary(registry=registry_with(**figures)),
    )


def last_full_hour(minute: int):
    """A moment in the hour before the current one: one bucket of the day's chart."""
    now = timezone.now()
    return now.replace(minute=minute, second=0, microsecond=0) - timedelta(hours=1)


def test_dashboard__sums_hosts_and_survives_restarts(staff_client, settings):
    settings.METRICS_SNAPSHOT_INTERVAL = 3600  # the view's own snapshot stays out of the sums
    # Host a: 10 -> 40 requests (+30), then restarted: 5 (+5). Host b: 0 -> 20 (+20, 4 errors).
    for source, minute, figures in [
        ("host-a", 10, {"requests": 10}),
        ("host-a", 20, {"requests": 40, "seconds": 0.2}),
        ("host-a", 30, {"requests": 5, "seconds": 0.2}),
        ("host-b", 10, {"requests": 1}),
        ("host-b", 20, {"requests": 21, "errors": 4, "seconds": 0.2}),
    ]:
        MetricsSnapshot.objects.create(
            source=source,
            taken_at=last_full_hour(minute),
            data=metrics_summary(registry=registry_with(**figures)),
        )
    metrics_snapshot_reset()
    staff_client.get(URL, {"range": "day"})  # takes the view's snapshot now
    data = charts(staff_client.get(URL, {"range": "day"}))
    rate = data["request-rate"]["series"][0]["values"]
    assert round(sum(rate) * 3600) == 30 + 5 + 20
    error_rate = {s["label"]: s["values"] for s in data["error-rate"]["series"]}["quizzes"]
    assert max(v for v in error_rate if v is not None) == pytest.approx(100 * 4 / 55, abs=0.01)
    p95 = data["route-p95"]
    assert p95["labels"] == ["/api/v1/quizzes"]
    assert 100 < p95["series"][0]["values"][0] <= 250  # the new requests, not the old 50 ms ones
    html = staff_client.get(URL).content.decode()
    assert "Hosts in history: 3" in html  # a, b and this test process


def test_dashboard__viewing_it_snapshots_at_most_once_per_interval(staff_client, settings):
    settings.METRICS_SNAPSHOT_INTERVAL = 300
    staff_client.get(URL)
    staff_client.get(URL, {"range": "hour"})
    assert MetricsSnapshot.objects.count() == 1
    assert MetricsSnapshot.objects.get().data["routes"]  # this test's requests were counted


def test_metrics_snapshot__command_prunes_past_the_retention(settings, capsys):
    settings.METRICS_SNAPSHOT_RETENTION_DAYS = 8
    snapshot("old", 9 * 24 * 60, requests=1)
    snapshot("kept", 7 * 24 * 60, requests=1)
    call_command("metrics_snapshot")
    output = capsys.readouterr().out
    assert "PROMETHEUS_MULTIPROC_DIR is not set" in output  # this process has no server metrics
    assert "1 snapshot(s) past the retention deleted" in output
    assert list(MetricsSnapshot.objects.values_list("source", flat=True)) == ["kept"]


def test_metrics_snapshot__command_reads_the_servers_metrics(tmp_path, django_db_setup):
    """The cron story: the command, given the server's metrics directory, snapshots what the
    gunicorn workers counted."""
    from django.conf import settings

    database = ServerDatabase(tmp_path, settings.DATABASES["default"])
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        "DATABASE_URL": database.url,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "SENTRY_SERVER_NAME": "web-1",
        "LOG_FILE": "",
    }
    server = start_gunicorn(tmp_path, env, workers=2)
    try:
        for _ in range(6):
            server.get("/api/v1/quizzes")
        output = run_manage(database.url, "metrics_snapshot", extra_env=env)
        assert "Snapshot of web-1 written" in output
        rows = run_manage(
            database.url,
            "shell",
            "-c",
            "from monitoring.models import MetricsSnapshot as M; import json; "
            "s = M.objects.get(); print(json.dumps([s.source, s.data['routes']]))",
            extra_env=env,
        )
        source, routes = json.loads(rows.strip().splitlines()[-1])
        assert source == "web-1"
        assert sum(route["count"] for route in routes.values()) >= 6
    finally:
        server.stop()
        database.drop()


def test_dashboard__generation_time_per_kind_from_snapshots(staff_client, settings):
    settings.METRICS_SNAPSHOT_INTERVAL = 3600
    now = timezone.now()
    metrics_snapshot_take(now=now - timedelta(minutes=2))
    lesson_generate(
        owner_id=make_user(Role.TEACHER).pk,
        subject="science",
        grade_level=4,
        learning_objectives=["Name the planets"],
        content_type="lesson",
        complexity="basic",
    )
    quiz_with_attempts(0)
    metrics_snapshot_take(now=now - timedelta(minutes=1))
    chart = charts(staff_client.get(URL, {"range": "hour"}))["generation-time"]
    assert chart["labels"] == ["lesson", "quiz"]  # no terrain was generated in the range
    p50, p95 = (s["values"] for s in chart["series"])
    assert all(value is not None and value > 0 for value in p50 + p95)
