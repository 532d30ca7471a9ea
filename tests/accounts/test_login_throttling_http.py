"""Failed-login throttling attacked over real HTTP (pytest-django's live server): the API's
login and the admin's, one policy and one set of counters (accounts.throttling)."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from django.core.cache import cache

from tests.accounts.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/api/v1/auth/login"
LOCKED = {"detail": "Too many failed logins. Try again later."}


@pytest.fixture(autouse=True)
def _fresh_counts(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW = 300
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 100
    cache.clear()
    yield
    cache.clear()


def attempt(http: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    return http.post(LOGIN, json={"username": username, "password": password}, headers=headers)


def test_login__rotating_x_forwarded_for_does_not_escape_throttling(http, settings):
    """No trusted proxy is configured: the address is the socket's, whatever the header says."""
    victim = make_user(username="victim-teacher")
    statuses = [
        attempt(
            http, victim.username, f"guess-{n}", **{"X-Forwarded-For": f"198.51.100.{n}"}
        ).status_code
        for n in range(8)
    ]
    assert statuses == [401] * 5 + [429] * 3
    right = attempt(http, victim.username, PASSWORD, **{"X-Forwarded-For": "203.0.113.99"})
    assert right.status_code == 429
    assert right.json() == LOCKED
    assert 299 <= int(right.headers["Retry-After"]) <= 300

    # Spraying many accounts, a new header per try: stopped by the per-address ceiling.
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 12  # 5 failures counted above
    sprayed = [
        attempt(http, f"someone-{n}", "guess", **{"X-Forwarded-For": f"192.0.2.{n}"}).status_code
        for n in range(9)
    ]
    assert sprayed == [401] * 7 + [429] * 2


def test_login__own_successful_login_does_not_reset_the_victims_count(http):
    victim = make_user(username="victim-student", role="student")
    attacker = make_user(username="attacker-student", role="student")
    guesses = []
    for _ in range(3):  # 3 guesses, then a login of one's own to "reset" the counter
        guesses += [attempt(http, victim.username, "guess").status_code for _ in range(3)]
        assert attempt(http, attacker.username, PASSWORD).status_code == 200
    assert guesses == [401] * 5 + [429] * 4
    assert attempt(http, victim.username, PASSWORD).status_code == 429


def test_login__failures_on_one_account_do_not_lock_out_others_behind_the_same_address(http):
    """A school network: one address, one child mistyping five times."""
    typo = make_user(username="typo-kid", role="student")
    classmate = make_user(username="classmate", role="student")
    assert [attempt(http, typo.username, "oops").status_code for _ in range(6)] == [401] * 5 + [429]
    assert attempt(http, classmate.username, PASSWORD).status_code == 200
    assert attempt(http, classmate.username, "oops").status_code == 401  # only 401, not locked


def test_login__a_lock_does_not_tell_whether_an_account_exists(http):
    existing = make_user(username="real-account")
    answers = {}
    for username in (existing.username, "no-such-account"):
        responses = [attempt(http, username, "guess") for _ in range(6)]
        answers[username] = [(r.status_code, r.json()) for r in responses]
    assert answers[existing.username] == answers["no-such-account"]
    assert answers["no-such-account"][-1] == (429, LOCKED)


def test_login__a_success_resets_only_its_own_account_and_lockouts_double_up_to_a_cap(
    http, settings
):
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_FAILURE_WINDOW = 2
    settings.LOGIN_LOCKOUT_MAX = 5
    user = make_user(username="doubling")

    def next_lockout() -> int:
        """Fail once the current lockout is over; the Retry-After of the lockout that starts."""
        deadline = time.monotonic() + 15
        while attempt(http, user.username, "guess").status_code == 429:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        locked = attempt(http, user.username, PASSWORD)
        assert locked.status_code == 429
        return int(locked.headers["Retry-After"])

    lockouts = [next_lockout() for _ in range(3)]
    for got, expected in zip(lockouts, (2, 4, 5), strict=True):
        assert expected - 1 <= got <= expected, lockouts
    # Once it has passed, the right password works and starts the account over.
    deadline = time.monotonic() + 15
    while (response := attempt(http, user.username, PASSWORD)).status_code == 429:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert response.status_code == 200
    assert attempt(http, user.username, "guess").status_code == 401
    assert 1 <= int(attempt(http, user.username, PASSWORD).headers["Retry-After"]) <= 2


def admin_login(http: httpx.Client, username: str, password: str) -> httpx.Response:
    http.get("/admin/login/")
    return http.post(
        "/admin/login/?next=/admin/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
        },
        headers={"Referer": f"{http.base_url}/admin/login/"},
    )


def test_admin_login__twelve_wrong_passwords_then_the_right_one_is_refused(http):
    admin = make_user("admin", username="school-admin")
    for _ in range(12):
        response = admin_login(http, admin.username, "wrong-password")
        assert response.status_code == 200 and "sessionid" not in http.cookies
    response = admin_login(http, admin.username, PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert "sessionid" not in http.cookies
    assert re.search(r"Too many failed logins\. Try again in \d+ minute", response.text)
    # One set of counters: the API's login of that account is locked too.
    assert attempt(http, admin.username, PASSWORD).status_code == 429


def test_admin_login__failures_at_the_api_lock_the_admin_login(http):
    admin = make_user("admin", username="api-then-admin")
    for _ in range(5):
        assert attempt(http, admin.username, "wrong").status_code == 401
    admin_login(http, admin.username, PASSWORD)
    assert "sessionid" not in http.cookies
