"""Authentication errors as a real client sees them (CSRF enforced, unlike Django's test client)."""

import pytest

from tests.accounts.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"subject": "mathematics", "grade_level": 5, "difficulty": "easy", "question_count": 3}


def test_anonymous_post__is_401_not_a_csrf_error(http):
    response = http.post("/api/v1/quizzes/generate", json=BODY)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_session_post_without_csrf_token__is_refused(http):
    admin = make_user("admin", username="session-admin")
    http.get("/admin/login/")
    http.post(
        "/admin/login/",
        data={
            "username": admin.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": http.cookies["csrftoken"],
        },
        headers={"Referer": f"{http.base_url}/admin/login/"},
    )
    assert "sessionid" in http.cookies
    response = http.post("/api/v1/quizzes/generate", json=BODY)
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
    token = http.cookies["csrftoken"]
    response = http.post(
        "/api/v1/quizzes/generate",
        json=BODY,
        headers={"X-CSRFToken": token, "Referer": f"{http.base_url}/api/docs"},
    )
    assert response.status_code == 201
