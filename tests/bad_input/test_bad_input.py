"""Hostile and broken input gets a clear 4xx in Ninja's ``{"detail": ...}`` shape: nothing
crashes, nothing is stored, and (production policy) Sentry hears nothing.

A real HTTP server (pytest-django's live server) serves the app with ``DEBUG`` off and the SDK
in its production configuration, delivering to a loopback receiver.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
import sentry_sdk

from accounts import tokens
from accounts.models import Classroom, TokenFamily, User
from lessons.models import Lesson
from quizzes.models import Quiz, QuizAttempt
from roblox.models import RobloxScript
from terrain.models import Terrain
from tests.accounts.factories import PASSWORD, make_user
from tests.support.sentry_receiver import SentryReceiver

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = (User, Classroom, Lesson, Quiz, QuizAttempt, Terrain, RobloxScript, TokenFamily)
TOO_BIG = 2_621_440 + 1  # DATA_UPLOAD_MAX_MEMORY_SIZE + 1
QUIZ = {"subject": "mathematics", "grade_level": 5, "question_count": 5}
JSON_TYPE = {"Content-Type": "application/json"}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def production(configure_sentry, settings) -> Iterator[SentryReceiver]:
    receiver = SentryReceiver().start()
    configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
    settings.DEBUG = False
    yield receiver
    receiver.stop()


@pytest.fixture
def teacher_auth(db) -> dict[str, str]:
    user = make_user("teacher", username="bad-input-teacher")
    return {"Authorization": f"Bearer {tokens.issue_pair(user.pk, user.role).access}"}


@pytest.fixture
def guarded(production, teacher_auth):
    """Row counts before; after the test, the same counts and no Sentry event."""
    before = row_counts()
    yield
    sentry_sdk.flush(timeout=2)
    assert row_counts() == before
    assert production.events == [], [e.get("exception") for e in production.events]


def assert_client_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict) and body["detail"], body
    return body


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


BODIES = {
    # name: (path, raw body, content type, expected status)
    "oversized": ("/api/v1/quizzes/generate", b"[" + b" " * TOO_BIG + b"]", JSON_TYPE, 413),
    "oversized-anonymous": (
        "/api/v1/auth/login",
        json.dumps({"username": "x" * TOO_BIG, "password": "y"}).encode(),
        JSON_TYPE,
        413,
    ),
    "deep-arrays": ("/api/v1/quizzes/generate", nested(10_000).encode(), JSON_TYPE, 400),
    "deep-objects": (
        "/api/v1/quizzes/generate",
        ('{"a":' * 10_000 + "1" + "}" * 10_000).encode(),
        JSON_TYPE,
        400,
    ),
    "deep-in-a-field": (
        "/api/v1/quizzes/generate",
        json.dumps({**QUIZ, "question_count": json.loads(nested(500))}).encode(),
        JSON_TYPE,
        422,
    ),
    "invalid-utf8": ("/api/v1/quizzes/generate", b'{"subject": "\xff\xfe\xfa"}', JSON_TYPE, 400),
    "truncated": ("/api/v1/quizzes/generate", b'{"subject": "mathem', JSON_TYPE, 400),
    "top-level-null": ("/api/v1/quizzes/generate", b"null", JSON_TYPE, 422),
    "top-level-list": ("/api/v1/quizzes/generate", b"[1, 2]", JSON_TYPE, 422),
    # PostgreSQL cannot store these: refused for every operation, not only where a schema
    # looks for them (on SQLite they would be stored, on PostgreSQL they would answer 500).
    "nul-character": (
        "/api/v1/classrooms",
        json.dumps({"name": "4B\u0000"}).encode(),
        JSON_TYPE,
        422,
    ),
    "nul-in-login": (
        "/api/v1/auth/login",
        json.dumps({"username": "ada\u0000", "password": "x"}).encode(),
        JSON_TYPE,
        422,
    ),
    "beyond-64-bits-in-a-list": (
        "/api/v1/quizzes/1/attempts",
        json.dumps({"answers": [10**30]}).encode(),
        JSON_TYPE,
        422,
    ),
    "huge-question-count": (
        "/api/v1/quizzes/generate",
        json.dumps({**QUIZ, "question_count": 10**12}).encode(),
        JSON_TYPE,
        422,
    ),
    "beyond-64-bits": (
        "/api/v1/quizzes/generate",
        json.dumps({**QUIZ, "question_count": 10**30}).encode(),
        JSON_TYPE,
        422,
    ),
    "thousands-of-digits": (
        "/api/v1/quizzes/generate",
        (
            '{"subject": "mathematics", "grade_level": 5, "question_count": ' + "9" * 5000 + "}"
        ).encode(),
        JSON_TYPE,
        400,
    ),
    "float-question-count": (
        "/api/v1/quizzes/generate",
        b'{"subject": "mathematics", "grade_level": 5, "question_count": 1e308}',
        JSON_TYPE,
        422,
    ),
    "nan": ("/api/v1/terrain/generate", b'{"size": 64, "water_level": NaN}', JSON_TYPE, 422),
    "huge-size": ("/api/v1/terrain/generate", json.dumps({"size": 10**9}).encode(), JSON_TYPE, 422),
    "size-as-text": ("/api/v1/terrain/generate", b'{"size": "128"}', JSON_TYPE, 422),
    "text-plain": (
        "/api/v1/quizzes/generate",
        b"make me a quiz",
        {"Content-Type": "text/plain"},
        400,
    ),
    "form-encoded": (
        "/api/v1/quizzes/generate",
        b"subject=mathematics&grade_level=5",
        {"Content-Type": "application/x-www-form-urlencoded"},
        400,
    ),
    "xml": (
        "/api/v1/roblox/scripts/compile",
        b"<source>print(1)</source>",
        {"Content-Type": "application/xml"},
        400,
    ),
}


def test_bad_body__clear_4xx_nothing_stored_no_event(http, teacher_auth, guarded):
    # One test for every case: a live-server test empties every table afterwards, which costs
    # more than the requests themselves.
    wrong = {}
    for case, (path, content, headers, status) in BODIES.items():
        response = http.post(path, content=content, headers={**teacher_auth, **headers})
        try:
            assert_client_error(response, status)
        except (AssertionError, ValueError, KeyError):
            wrong[case] = (response.status_code, response.text[:200])
    assert wrong == {}


def signed(claims: dict, key: str, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def forged_tokens(settings) -> dict[str, str | bytes]:
    now = datetime.now(UTC)
    claims = {"sub": "1", "role": "admin", "type": "access", "jti": "j" * 32, "exp": now}
    valid_for = {**claims, "exp": now + timedelta(minutes=5)}
    return {
        "garbage": "Bearer not-a-token",
        "three-dots": "Bearer a.b.c",
        "no-token": "Bearer",
        "very-long": "Bearer " + "x" * 8000,
        "alg-none": "Bearer " + signed(valid_for, "", "none"),
        "other-key": "Bearer " + signed(valid_for, "another-secret-key-of-32-bytes-or-more"),
        "expired": "Bearer "
        + signed({**claims, "exp": now - timedelta(minutes=1)}, settings.SECRET_KEY),
        "refresh-as-access": "Bearer " + tokens.encode(1, "teacher", tokens.REFRESH),
        "missing-claims": "Bearer "
        + signed({"sub": "1", "exp": now + timedelta(minutes=5)}, settings.SECRET_KEY),
        "basic": "Basic dXNlcjpwYXNzd29yZA==",
        "not-latin-text": b"Bearer \xff\xfe\xfd",
    }  # fmt: skip


def test_malformed_tokens__401_json_nothing_stored_no_event(http, guarded, settings):
    for name, header in forged_tokens(settings).items():
        headers = {"Authorization": header}
        for path in ("/api/v1/auth/me", "/api/v1/roblox/plugin/scripts"):
            assert_client_error(http.get(path, headers=headers), 401)
        # A write with no usable token is an anonymous write: the session path refuses it
        # (its CSRF check) before authentication does.
        response = http.post("/api/v1/quizzes/generate", json=QUIZ, headers=headers)
        assert response.status_code in (401, 403), (name, response.text)
        assert_client_error(response, response.status_code)


QUERIES = {
    "/api/v1/quizzes?limit=abc": 422,
    "/api/v1/quizzes?offset=-1": 422,
    f"/api/v1/quizzes?offset={10**30}": 422,
    f"/api/v1/content?offset={'9' * 5000}": 422,
    "/api/v1/quizzes?subject=%00": 422,
    "/api/v1/content?grade_level=99": 422,
    f"/api/v1/roblox/plugin/scripts?after={10**20}": 422,
    "/api/v1/quizzes/not-a-number": 404,
    f"/api/v1/quizzes/{10**25}": 422,  # an id no column can hold: the client's error
    f"/api/v1/terrain/{2**63}/preview.png": 422,
    f"/api/v1/terrain/{2**63 - 1}/preview.png": 404,
    "/api/v1/nowhere": 404,
}


def test_bad_query_and_path__4xx_json(http, teacher_auth, guarded):
    for path, status in QUERIES.items():
        assert_client_error(http.get(path, headers=teacher_auth), status)


def test_method_not_allowed__405_json_with_allow(http, teacher_auth, guarded):
    for method, path in (("DELETE", "/api/v1/auth/me"), ("PUT", "/api/v1/quizzes/generate")):
        response = http.request(method, path, headers=teacher_auth)
        assert assert_client_error(response, 405)["detail"] == "Method not allowed"
        assert response.headers["Allow"] in ("GET", "POST")


def test_djangos_own_path__oversized_form_and_bad_host_answer_json(http, guarded):
    """Outside the API (the admin), Django's handlers answer, in the same JSON shape."""
    csrf = http.get("/admin/login/").cookies["csrftoken"]
    form = {"username": "x" * TOO_BIG, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    response = http.post(
        "/admin/login/", data=form, headers={"Referer": f"{http.base_url}/admin/login/"}
    )
    assert_client_error(response, 413)
    assert_client_error(http.get("/api/v1/auth/me", headers={"Host": "evil.example"}), 400)


INT_TOO_BIG_MESSAGE = "Value error, integers must fit in 64 bits"


def test_unstorable_values__422_naming_where_they_are(http, teacher_auth, guarded):
    response = http.post(
        "/api/v1/quizzes/1/attempts",
        json={"answers": [1, 10**30], "note\u0000": "x"},
        headers=teacher_auth,
    )
    detail = assert_client_error(response, 422)["detail"]
    assert sorted((d["loc"], d["msg"]) for d in detail) == [
        (["body"], "Value error, text must not contain NUL characters"),
        (["body", "answers", 1], "Value error, integers must fit in 64 bits"),
    ]
    response = http.get(f"/api/v1/quizzes?offset={2**63}", headers=teacher_auth)
    assert assert_client_error(response, 422)["detail"][0]["loc"] == ["query", "offset"]
    response = http.get(f"/api/v1/content/{2**64}", headers=teacher_auth)
    assert assert_client_error(response, 422)["detail"] == [
        {"type": "value_error", "loc": ["path", "lesson_id"], "msg": INT_TOO_BIG_MESSAGE}
    ]
    # A schema's own message comes first where it has one.
    response = http.post(
        "/api/v1/roblox/scripts",
        json={"name": "x\u0000", "source": "print(1)"},
        headers=teacher_auth,
    )
    assert "control characters" in assert_client_error(response, 422)["detail"][0]["msg"]
