"""The classroom in a real browser: Chromium (the system's, never a downloaded one) driven by
Playwright against the production ASGI server, PostgreSQL, Redis and a real Celery worker.

A teacher creates a class; a student joins it with the code; the teacher generates a quiz in the
background and watches it complete, then publishes it; the student sees it appear without
reloading, takes it one question at a time, and the teacher's gradebook updates live. Each page
is saved as a screenshot under ``var/screenshots/`` (CI keeps them as artifacts).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.support.live import REDIS_URL, RUN_PREFIX
from tests.support.live_servers import delete_keys, start_asgi, start_worker, wait_until_serving
from tests.support.servers import ROOT, AppServer, ServerDatabase, run_manage

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "correct-horse-battery-staple"
WAIT_MS = 60_000  # a loaded two-core machine: generous, but every wait is for an event

SEED = """
from accounts.models import Role
from accounts.services import user_create
user_create(username="ms-frizzle", password={password!r}, role=Role.TEACHER)
user_create(username="arnold", password={password!r}, role=Role.STUDENT)
print("seeded")
"""


@dataclass
class Stack:
    server: AppServer


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    tmp_path = tmp_path_factory.mktemp("browser")
    prefix = f"{RUN_PREFIX}-browser-{uuid.uuid4().hex[:6]}"
    database = ServerDatabase(tmp_path, django_settings.DATABASES["default"])
    server = worker = None
    try:
        run_manage(database.url, "shell", "-c", SEED.format(password=PASSWORD))
        env = {
            "DATABASE_URL": database.url,
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            "SENTRY_ENVIRONMENT": "development",
            "OPENAI_API_KEY": "",
            "LOG_FILE": "",
        }
        server = start_asgi(tmp_path, env)
        worker = start_worker(tmp_path, env)
        wait_until_serving(server)
        yield Stack(server)
    finally:
        if worker is not None:
            worker.stop()
        if server is not None:
            server.stop()
        database.drop()
        delete_keys(REDIS_URL, prefix)


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(browser, stack: Stack, username: str):
    # A tablet's viewport: the pages must read well on one.
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(stack.server.url + "/classroom/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page, errors


def mark_no_reload(page) -> None:
    """A marker that a navigation or reload would wipe: checked after a live update."""
    page.evaluate("window.__noReload = 'still here'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__noReload") == "still here"


def socket_open(page, selector: str = "[data-socket]") -> None:
    page.wait_for_selector(f'{selector}[data-socket-state="open"]', timeout=WAIT_MS)


def test_classroom__teacher_and_student_in_real_browsers(stack, browser):
    # --- sign-in page, and a wrong password's message --------------------------------------
    anonymous = browser.new_context(viewport={"width": 1024, "height": 768}).new_page()
    anonymous.goto(stack.server.url + "/classroom/")
    anonymous.get_by_label("Username").fill("nobody")
    anonymous.get_by_label("Password").fill("wrong-password")
    anonymous.get_by_role("button", name="Sign in").click()
    assert "do not match" in anonymous.get_by_role("alert").inner_text()
    shot(anonymous, "01-sign-in")

    # --- the teacher creates a class ---------------------------------------------------------
    teacher, teacher_errors = sign_in(browser, stack, "ms-frizzle")
    assert teacher.url.endswith("/classroom/classes/")
    teacher.get_by_label("Class name").fill("Class 5B")
    teacher.get_by_role("button", name="Create class").click()
    code = teacher.locator("[data-join-code]").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    class_url = teacher.url

    # --- the student joins with the code -----------------------------------------------------
    student, student_errors = sign_in(browser, stack, "arnold")
    assert student.url.endswith("/classroom/me/")
    student.get_by_role("link", name="Join a class").click()
    student.get_by_label("Join code").fill(f"{code[:4].lower()}-{code[4:]}")
    shot(student, "03-student-join")
    student.get_by_role("button", name="Join").click()
    assert "You joined Class 5B" in student.locator(".messages").inner_text()
    socket_open(student)
    mark_no_reload(student)
    shot(student, "04-student-home-empty")

    teacher.goto(class_url)
    assert "arnold" in teacher.locator("table").inner_text()
    shot(teacher, "02-teacher-class")

    # --- the teacher generates a quiz in the background and watches it complete --------------
    teacher.get_by_role("link", name="New quiz").click()
    teacher.get_by_label("Subject").select_option("mathematics")
    teacher.get_by_label("Grade").select_option("3")
    teacher.get_by_label("Number of questions").fill("3")
    shot(teacher, "05-teacher-generate-quiz")
    teacher.get_by_role("button", name="Generate quiz").click()
    assert "/classroom/jobs/" in teacher.url
    teacher.wait_for_selector('[data-job][data-job-state="done"]', timeout=WAIT_MS)
    assert teacher.locator("progress").evaluate("p => p.value") == 100
    shot(teacher, "06-teacher-job-done")
    teacher.get_by_role("link", name="Open the quiz").click()
    teacher.locator(".answers").first.wait_for(timeout=WAIT_MS)  # the review page has loaded
    assert teacher.locator(".answers li.right").count() == 3  # the teacher sees the answers
    explanations = teacher.locator("ol > li > p.meta").all_inner_texts()
    assert len(explanations) == 3 and all(explanations)
    shot(teacher, "07-teacher-quiz-review")

    # --- published: the student's page shows it without reloading ----------------------------
    teacher.get_by_label("Class").select_option(label="Class 5B")
    teacher.get_by_role("button", name="Publish").click()
    assert "Published to the class" in teacher.locator(".messages").inner_text()
    quiz_link = student.locator("#published a", has_text="quiz")
    quiz_link.wait_for(timeout=WAIT_MS)
    assert_not_reloaded(student)
    shot(student, "08-student-home-published")

    # --- the teacher opens the gradebook; the student takes the quiz -------------------------
    teacher.goto(class_url)
    teacher.get_by_role("link", name="Gradebook").click()
    socket_open(teacher)
    mark_no_reload(teacher)
    assert teacher.locator("[data-attempts]").get_attribute("data-attempts") == "0"
    shot(teacher, "09-teacher-gradebook-empty")

    quiz_link.click()
    student.get_by_text("Question 1 of 3").wait_for(timeout=WAIT_MS)
    html = student.content()
    assert 'class="right"' not in html
    assert not [text for text in explanations if text in html]  # no answers before submitting
    questions = student.locator("fieldset.question")
    assert questions.count() == 3
    assert [questions.nth(i).is_visible() for i in range(3)] == [True, False, False]
    shot(student, "10-student-quiz-question-1")
    for number in range(3):
        question = questions.nth(number)
        question.locator("input[type=radio]").first.check()
        if number < 2:
            student.get_by_role("button", name="Next").click()
    student.get_by_role("button", name="Submit my answers").click()
    result = student.locator("[data-result]").inner_text()
    assert all(text in student.content() for text in explanations)  # and all of them after
    assert re.fullmatch(r"\d / 3", result)
    shot(student, "11-student-quiz-result")

    # --- the gradebook updated live -----------------------------------------------------------
    teacher.wait_for_selector('[data-attempts="1"]', timeout=WAIT_MS)
    assert_not_reloaded(teacher)
    row = teacher.locator('tr[data-student="arnold"] [data-score]').inner_text()
    assert row.startswith(result)
    shot(teacher, "12-teacher-gradebook-live")

    # --- a lesson (read as a printable page) and a terrain ------------------------------------
    teacher.get_by_role("link", name="New lesson").click()
    teacher.get_by_label("Subject").select_option("science")
    teacher.get_by_label("Learning objectives").fill("Describe the water cycle")
    teacher.get_by_role("button", name="Generate lesson").click()
    teacher.wait_for_selector('[data-job][data-job-state="done"]', timeout=WAIT_MS)
    teacher.get_by_role("link", name="Open the lesson").click()
    assert teacher.get_by_role("heading", level=1).is_visible()
    shot(teacher, "13-teacher-lesson")
    teacher.emulate_media(media="print")
    assert not teacher.locator("header.site").is_visible()
    shot(teacher, "14-teacher-lesson-print")
    teacher.emulate_media(media="screen")

    teacher.get_by_role("link", name="New terrain").click()
    teacher.get_by_label("Biome").select_option("islands")
    teacher.get_by_label("Size (cells a side)").fill("64")
    teacher.get_by_role("button", name="Generate terrain").click()
    teacher.wait_for_function(
        "() => { const i = document.querySelector('img.preview'); "
        "return i && i.complete && i.naturalWidth > 0; }",
        timeout=WAIT_MS,
    )
    with teacher.expect_download() as download:
        teacher.get_by_role("link", name="Download the Luau script").click()
    assert download.value.suggested_filename.endswith(".lua")
    shot(teacher, "15-teacher-terrain")

    # No script error on any page, and nothing blocked by the CSP.
    assert teacher_errors == [] and student_errors == [], (teacher_errors, student_errors)
