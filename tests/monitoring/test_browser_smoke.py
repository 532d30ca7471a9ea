"""A real browser (Debian's Chromium, driven by Playwright) on a page with the monitoring include:
an error thrown on the page reaches the loopback Sentry receiver through our tunnel, joined to
the server's trace, with the server's opaque user and no username in its bytes."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

from tests.accounts.factories import make_user
from tests.monitoring.browser_support import session_cookies
from tests.support.sentry_receiver import relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
USERNAME = "ada-lovelace-teacher"


@pytest.fixture
def browser():
    if not shutil.which(CHROMIUM):
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's database work
    # happens before it starts, the server's in the live server's own thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def test_browser_monitoring__page_error_reaches_sentry_through_the_tunnel_scrubbed(
    live_server, sentry_receiver, probe_urls, rate_limit, request
):
    teacher = make_user("teacher", username=USERNAME, email="ada.teacher@example.com")
    cookies = session_cookies(teacher)
    browser = request.getfixturevalue("browser")
    context = browser.new_context()
    context.add_cookies(
        [{"name": name, "value": value, "url": live_server.url} for name, value in cookies.items()]
    )
    page = context.new_page()
    hosts: set[str] = set()
    # Network requests only (the replay worker starts from a blob: URL, which is local).
    page.on(
        "request",
        lambda r: (
            urlsplit(r.url).scheme in ("http", "https", "ws", "wss")
            and hosts.add(urlsplit(r.url).netloc)
        ),
    )
    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))

    page.goto(f"{live_server.url}/probe-page/")
    page.wait_for_function("() => window.Sentry && window.Sentry.getClient()")
    server_trace = page.get_attribute('meta[name="sentry-trace"]', "content")
    page.evaluate(f"setTimeout(() => {{ throw new Error('page broke for {USERNAME}'); }}, 0)")

    def browser_error(receiver):
        return [e for e in receiver.events if e.get("platform") == "javascript"]

    [event] = sentry_receiver.wait_for(browser_error, timeout=20)
    assert "page broke for [Filtered]" in event["exception"]["values"][0]["value"]
    assert event["user"] == {"id": str(teacher.pk), "role": "teacher"}
    assert event["contexts"]["trace"]["trace_id"] == server_trace.split("-")[0]
    assert USERNAME.encode() not in sentry_receiver.raw_bytes
    assert relay_errors(event) == []
    assert hosts == {urlsplit(live_server.url).netloc}  # the browser contacted nobody else
    assert not [text for text in console_errors if "Content Security Policy" in text]
    # The same page exposes the feedback helper the pages' "Report a problem" control calls.
    assert page.evaluate("typeof window.toolboxReportProblem") == "function"
    context.close()
