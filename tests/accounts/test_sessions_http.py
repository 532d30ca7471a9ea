"""Login sessions (token families) attacked over real HTTP: a refresh race, a replayed refresh
token, a password change, deactivation and logout all end the session for good."""

from __future__ import annotations

import threading

import httpx
import pytest
from django.core.cache import cache

from accounts.models import User
from tests.accounts.factories import PASSWORD, make_user
from tests.support.deploy import ADMIN, ADMIN_PASSWORD
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def login(http: httpx.Client, user: User, password: str = PASSWORD) -> dict:
    response = http.post(
        "/api/v1/auth/login", json={"username": user.username, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()


def refresh(http: httpx.Client, token: str) -> httpx.Response:
    return http.post("/api/v1/auth/refresh", json={"refresh": token})


def me_status(http: httpx.Client, access: str) -> int:
    return http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"}).status_code


def test_token_responses__are_never_cached(http):
    user = make_user()
    response = http.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"
    response = refresh(http, response.json()["refresh"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


@pytest.mark.slow
def test_refresh__eight_concurrent_refreshes_with_one_token_have_one_winner(
    tmp_path, server_database
):
    """Against gunicorn, eight requests at once: two processes of four threads, on a database
    of their own. Not the suite's test server: on SQLite its threads share one in-memory
    connection, on which one request's row count can be another's (it once let two refreshes
    both win), which no real server does."""
    env = {"DATABASE_URL": server_database.url, "LOG_FILE": ""}
    server = start_gunicorn(tmp_path, env, workers=2, threads=4, wait_path="/health")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            response = http.post(
                "/api/v1/auth/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}
            )
            assert response.status_code == 200, response.text
            stolen = response.json()
            start = threading.Barrier(8)
            results: list[httpx.Response] = []
            lock = threading.Lock()

            def race() -> None:
                with httpx.Client(base_url=server.url, timeout=30) as client:
                    start.wait(timeout=30)
                    response = refresh(client, stolen["refresh"])
                with lock:
                    results.append(response)

            threads = [threading.Thread(target=race) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            statuses = sorted(r.status_code for r in results)
            assert statuses == [200] + [401] * 7, server.log()[-3000:]
            # The seven losers used a token that was no longer current: that is reuse, and the
            # whole session ends, the winner's new tokens included.
            winner = next(r for r in results if r.status_code == 200).json()
            assert me_status(http, winner["access"]) == 401
            assert refresh(http, winner["refresh"]).status_code == 401
    finally:
        server.stop()


def test_refresh__reuse_of_a_rotated_token_revokes_the_whole_session(http):
    user = make_user()
    first = login(http, user)
    other_session = login(http, user)
    second = refresh(http, first["refresh"]).json()
    assert me_status(http, second["access"]) == 200

    replay = refresh(http, first["refresh"])  # the thief, or the victim after the thief
    assert replay.status_code == 401
    assert replay.json() == {"detail": "Invalid refresh token: token revoked"}
    assert me_status(http, second["access"]) == 401
    assert me_status(http, first["access"]) == 401
    assert refresh(http, second["refresh"]).status_code == 401
    # Only that login's session: another login of the same user goes on.
    assert me_status(http, other_session["access"]) == 200
    assert refresh(http, other_session["refresh"]).status_code == 200


def test_password_change__in_the_admin_revokes_every_token_of_the_user(http, live_server):
    teacher = make_user(username="changes-password")
    sessions = [login(http, teacher), login(http, teacher)]
    admin = make_user("admin", username="password-admin")
    with httpx.Client(base_url=live_server.url, timeout=10) as browser:
        browser.get("/admin/login/")
        browser.post(
            "/admin/login/",
            data={
                "username": admin.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
        )
        page = f"/admin/accounts/user/{teacher.pk}/password/"
        browser.get(page)
        changed = browser.post(
            page,
            data={
                "password1": "a-brand-new-passphrase-7",
                "password2": "a-brand-new-passphrase-7",
                "usable_password": "true",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            },
        )
        assert changed.status_code == 302, changed.text[:2000]
    for session in sessions:
        assert me_status(http, session["access"]) == 401
        assert refresh(http, session["refresh"]).status_code == 401
    assert me_status(http, login(http, teacher, "a-brand-new-passphrase-7")["access"]) == 200


def test_password_change__through_set_password_revokes_every_token(http):
    """Any path that changes the password (a shell, a management command, a reset)."""
    student = make_user("student")
    session = login(http, student)
    student.set_password("another-good-passphrase-3")
    student.save()
    assert me_status(http, session["access"]) == 401
    assert refresh(http, session["refresh"]).status_code == 401


def test_deactivation__revokes_every_token_even_after_reactivation(http):
    student = make_user("student")
    session = login(http, student)
    student.is_active = False
    student.save()
    assert me_status(http, session["access"]) == 401
    student.is_active = True
    student.save()
    assert me_status(http, session["access"]) == 401
    assert refresh(http, session["refresh"]).status_code == 401


def test_logout__without_a_body_revokes_the_sessions_refresh_token(http):
    user = make_user()
    session = login(http, user)
    other_session = login(http, user)
    response = http.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {session['access']}"}
    )
    assert response.status_code == 200
    assert refresh(http, session["refresh"]).status_code == 401
    assert me_status(http, session["access"]) == 401
    assert me_status(http, other_session["access"]) == 200
