"""The dashboard and the content admin pages in a real browser (Debian's Chromium, Playwright).

A seeded run first: content of every kind, quiz attempts from six students in one group and three
in another, requests that succeed, fail as clients and fail as servers (reported to a loopback
Sentry receiver), and metrics snapshots between them. Then the browser logs into the admin and the
dashboard must draw its charts from that data, with no console error (a CSP violation is one).
Screenshots go to var/screenshots/; with ``DOCS_SCREENSHOTS=1`` to docs/screenshots/, the
README's pictures (a test run leaves the committed ones alone).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from accounts.models import Role
from curriculum.terrain import TerrainParams
from lessons.services import lesson_generate
from monitoring.services import metrics_snapshot_reset, metrics_snapshot_take
from providers.breaker import breakers_reset
from quizzes.services import quiz_attempt_submit, quiz_generate
from terrain.services import terrain_generate
from tests.accounts.factories import PASSWORD, make_user
from tests.support.api import login_token
from tests.support.fake_openai import fake_openai

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    ROOT / ("docs" if os.environ.get("DOCS_SCREENSHOTS") == "1" else "var") / "screenshots"
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

# Charts that the seeded run must fill (the sockets chart stays empty: WSGI serves no sockets).
EXPECTED_CHARTS = (
    "content-over-time",
    "content-by-subject",
    "content-by-grade",
    "llm-calls",
    "quiz-attempts",
    "scores-science-3",
    "request-rate",
    "error-rate",
    "errors-by-category",
    "route-p95",
    "generation-time",
    "sentry-delivery",
)


def traffic(client: httpx.Client, headers: dict[str, str], *, rounds: int) -> None:
    for _ in range(rounds):
        assert client.get("/api/v1/content", headers=headers).status_code == 200
        assert client.get("/api/v1/quizzes", headers=headers).status_code == 200
        assert client.get("/api/v1/quizzes").status_code == 401
        assert client.get("/api/v1/no-such-thing").status_code == 404
    response = client.post("/probe/boom", json={"email": "x@example.com"}, headers=headers)
    assert response.status_code == 500


def llm_lessons(owner_id: int, settings) -> None:
    """Lessons from a (fake, loopback) LLM: answered, then failing until the breaker opens."""
    with fake_openai() as server:
        settings.OPENAI_API_KEY = "sk-dashboard-test-0123456789"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_TIMEOUT_SECONDS = 5
        settings.LLM_BREAKER_FAIL_MAX = 2
        settings.REDIS_URL = ""  # the breaker in this process's memory
        breakers_reset()
        for mode, count in (("ok", 3), ("invalid", 1), ("error", 1), ("ok", 2)):
            server.set_mode(mode)
            for _ in range(count):
                lesson_generate(
                    owner_id=owner_id,
                    subject="geography",
                    grade_level=6,
                    learning_objectives=["Name the continents"],
                    content_type="lesson",
                    complexity="basic",
                )
    settings.OPENAI_API_KEY = ""


def seed(live_server, settings) -> dict[str, int]:
    settings.OPENAI_API_KEY = ""
    settings.METRICS_SNAPSHOT_INTERVAL = 60
    teacher = make_user(Role.TEACHER)
    students = [make_user(Role.STUDENT) for _ in range(9)]
    now = timezone.now()
    metrics_snapshot_take(now=now - timedelta(minutes=20))  # the baseline of this run
    lessons = [
        lesson_generate(
            owner_id=teacher.pk,
            subject=subject,
            grade_level=grade,
            learning_objectives=["Explain why the Moon has phases", "Name the four seasons"],
            content_type="lesson",
            complexity="basic",
            seed=7,
        )
        for subject, grade in (("science", 4), ("science", 4), ("history", 5))
    ]
    science = quiz_generate(
        owner_id=teacher.pk, subject="science", grade_level=3, difficulty="easy", question_count=5
    )
    maths = quiz_generate(
        owner_id=teacher.pk,
        subject="mathematics",
        grade_level=5,
        difficulty="medium",
        question_count=5,
    )
    for i, student in enumerate(students[:6]):
        right = [q["correct_index"] for q in science.questions]
        answers = [a if n < i else (a + 1) % 4 for n, a in enumerate(right)]
        quiz_attempt_submit(quiz=science, student=student, answers=answers)
    for student in students[6:]:
        quiz_attempt_submit(quiz=maths, student=student, answers=[0] * 5)
    terrain_generate(
        owner_id=teacher.pk,
        params=TerrainParams(size=32, seed=3, biome="islands", water_level=0.3),
        name="Isle",
    )
    llm_lessons(teacher.pk, settings)

    with httpx.Client(base_url=live_server.url, timeout=20) as client:
        headers = {"Authorization": f"Bearer {login_token(client, teacher)}"}
        for minutes_ago, rounds in ((15, 3), (10, 6), (5, 4)):
            traffic(client, headers, rounds=rounds)
            metrics_snapshot_take(now=now - timedelta(minutes=minutes_ago))
        traffic(client, headers, rounds=2)
    metrics_snapshot_reset()  # the dashboard's view takes the latest snapshot itself
    admin = make_user(Role.ADMIN)
    return {"admin": admin.username, "lesson": lessons[0].pk, "quiz": science.pk}


@pytest.fixture
def fresh_breakers():
    breakers_reset()
    yield
    breakers_reset()


def test_dashboard__renders_charts_in_chromium(
    live_server, settings, probe_urls, sentry_receiver, fresh_breakers
):
    from playwright.sync_api import sync_playwright

    seeded = seed(live_server, settings)
    assert sentry_receiver.wait_for(lambda r: r.events, timeout=10), "the 500s reached Sentry"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    # Every database read and write is done: the sync API runs an event loop in this thread.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text} {m.location}")
                    if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
                    else 0
                ),
            )
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

            page.goto(f"{live_server.url}/admin/login/?next=/admin/")
            page.fill("#id_username", seeded["admin"])
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url(f"{live_server.url}/admin/")
            page.click("text=Dashboard")
            page.wait_for_selector("#dashboard[data-ready=true]", timeout=15000)
            page.click("text=Last hour")
            page.wait_for_selector("#dashboard[data-ready=true]", timeout=15000)
            assert "range=hour" in page.url

            drawn = page.eval_on_selector_all(
                "figure.chart.drawn", "els => els.map(e => e.dataset.chart)"
            )
            missing = [chart for chart in EXPECTED_CHARTS if chart not in drawn]
            assert not missing, f"charts without data: {missing}; drawn: {drawn}"
            for chart in EXPECTED_CHARTS:
                figure = page.locator(f'figure[data-chart="{chart}"]')
                assert figure.locator("canvas").count() == 1
                box = figure.locator("canvas").bounding_box()
                assert box and box["width"] > 200 and box["height"] > 100
            assert "LLM breaker openai: open" in page.locator(".status").inner_text()
            suppressed = page.locator("#scores-suppressed").inner_text()
            assert "Mathematics, grade 5: fewer than 5 students" in suppressed
            assert page.locator('figure[data-chart="scores-mathematics-5"]').count() == 0
            page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

            page.goto(f"{live_server.url}/admin/lessons/lesson/{seeded['lesson']}/change/")
            assert page.locator(".content-display h4").count() >= 1
            page.screenshot(path=str(SCREENSHOTS / "admin-lesson.png"), full_page=True)

            page.goto(f"{live_server.url}/admin/quizzes/quiz/{seeded['quiz']}/change/")
            assert page.locator('.content-display li[data-correct="true"]').count() == 5
            page.screenshot(path=str(SCREENSHOTS / "admin-quiz.png"), full_page=True)
        finally:
            browser.close()

    assert not problems, problems
