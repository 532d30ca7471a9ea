"""The app's base cost: an authenticated request pays one query for its login session (joined
to its user) and then only what its view needs; revocation is still seen on the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tests.support.api import Api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("offline_only")]

LESSON = {
    "subject": "science",
    "grade_level": 4,
    "learning_objectives": ["Describe the water cycle"],
    "content_type": "lesson",
    "complexity": "basic",
}


def test_auth_me__one_query_once_warm(client, teacher, django_assert_num_queries):
    api = Api(client, teacher)
    assert api.get("/api/v1/auth/me").status_code == 200  # last_active, permissions: once

    with django_assert_num_queries(1):  # the session joined to its user
        response = api.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["username"] == teacher.username


def test_lessons_list__session_query_plus_the_views_own(client, teacher, django_assert_num_queries):
    api = Api(client, teacher)
    for seed in range(3):
        assert api.post("/api/v1/content/generate", {**LESSON, "seed": seed}).status_code == 201
    assert api.get("/api/v1/content?limit=20").status_code == 200

    # The session (1), then the page of lessons and its total (2).
    with django_assert_num_queries(3):
        response = api.get("/api/v1/content?limit=20")

    assert response.status_code == 200
    assert len(response.json()["items"]) == 3


def test_auth_me__a_granted_permission_shows_at_once(client, teacher):
    api = Api(client, teacher)
    assert api.get("/api/v1/auth/me").json()["permissions"] == []

    teacher.user_permissions.add(Permission.objects.get(codename="view_lesson"))

    assert api.get("/api/v1/auth/me").json()["permissions"] == ["lessons.view_lesson"]


def test_auth_me__a_logged_out_session_is_refused_on_the_next_request(client, teacher):
    api = Api(client, teacher)
    assert api.get("/api/v1/auth/me").status_code == 200

    teacher.token_families.update(revoked_at="2000-01-01T00:00:00Z")

    response = api.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid access token: token revoked"}
