import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role, TokenFamily, User
from tests.accounts.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


def login(client, user):
    return post(client, "/api/v1/auth/login", {"username": user.username, "password": PASSWORD})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login__returns_tokens_and_user(client):
    user = make_user(Role.TEACHER)
    response = login(client, user)
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": user.pk, "username": user.username, "role": "teacher"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.JWT_ACCESS_TTL
    claims = jwt.decode(body["access"], settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == str(user.pk) and claims["type"] == "access"
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.last_active is not None


def test_login__wrong_password_is_401_with_clear_message(client):
    user = make_user()
    response = post(client, "/api/v1/auth/login", {"username": user.username, "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username or password"}


def test_login__unknown_user_and_inactive_user_are_401(client):
    response = post(client, "/api/v1/auth/login", {"username": "ghost", "password": "x"})
    assert response.status_code == 401
    user = make_user()
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert login(client, user).status_code == 401


def test_login__missing_fields_are_422(client):
    response = post(client, "/api/v1/auth/login", {"username": "someone"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "password"


def test_login__repeated_failures_are_throttled(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = make_user()
    for _ in range(3):
        bad = {"username": user.username, "password": "wrong"}
        assert post(client, "/api/v1/auth/login", bad).status_code == 401
    response = login(client, user)  # even the right password, until the window passes
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed logins. Try again later."}
    assert int(response["Retry-After"]) == settings.LOGIN_FAILURE_WINDOW


def test_login__success_resets_the_failure_count(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = make_user()
    bad = {"username": user.username, "password": "wrong"}
    for _ in range(2):
        post(client, "/api/v1/auth/login", bad)
    assert login(client, user).status_code == 200
    for _ in range(2):
        assert post(client, "/api/v1/auth/login", bad).status_code == 401
    assert login(client, user).status_code == 200


def test_me__with_bearer_token(client):
    user = make_user(Role.STUDENT)
    access = login(client, user).json()["access"]
    response = client.get("/api/v1/auth/me", headers=bearer(access))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["role"], body["username"]) == (user.pk, "student", user.username)
    assert body["last_active"] is not None


def test_me__without_credentials_is_401(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "bearer"],
)
def test_me__malformed_tokens_are_401(client, header):
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me__expired_and_refresh_tokens_are_rejected(client):
    user = make_user()
    now = timezone.now()
    expired = jwt.encode(
        {"sub": str(user.pk), "type": "access", "jti": "x1", "exp": now - timedelta(seconds=5)},
        settings.SECRET_KEY,
        algorithm="HS256",
    )
    response = client.get("/api/v1/auth/me", headers=bearer(expired))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid access token: token expired"
    refresh = login(client, user).json()["refresh"]
    response = client.get("/api/v1/auth/me", headers=bearer(refresh))
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid access token: not an access token"


def test_me__forged_signature_is_rejected(client):
    user = make_user(Role.ADMIN)
    forged = jwt.encode(
        {"sub": str(user.pk), "type": "access", "jti": "f", "exp": timezone.now() + timedelta(1)},
        "not-the-secret-key-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    assert client.get("/api/v1/auth/me", headers=bearer(forged)).status_code == 401


def test_refresh__rotates_and_revokes_the_old_token(client):
    user = make_user()
    first = login(client, user).json()
    response = post(client, "/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert response.status_code == 200
    second = response.json()
    assert client.get("/api/v1/auth/me", headers=bearer(second["access"])).status_code == 200
    replay = post(client, "/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert replay.status_code == 401
    assert replay.json() == {"detail": "Invalid refresh token: token revoked"}


def test_refresh__access_token_is_not_a_refresh_token(client):
    access = login(client, make_user()).json()["access"]
    response = post(client, "/api/v1/auth/refresh", {"refresh": access})
    assert response.status_code == 401


def test_logout__revokes_access_and_refresh(client):
    user = make_user()
    pair = login(client, user).json()
    response = post(
        client, "/api/v1/auth/logout", {"refresh": pair["refresh"]}, **bearer(pair["access"])
    )
    assert response.status_code == 200
    assert TokenFamily.objects.get(user=user).revoked_at is not None
    assert client.get("/api/v1/auth/me", headers=bearer(pair["access"])).status_code == 401
    assert post(client, "/api/v1/auth/refresh", {"refresh": pair["refresh"]}).status_code == 401


def test_logout__requires_a_token(client):
    assert post(client, "/api/v1/auth/logout", {}).status_code == 401


def test_me__admin_session_works(client):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    assert response.json()["permissions"]  # a superuser holds every permission


def test_admin__lists_login_sessions_without_token_material(client):
    admin = make_user(Role.ADMIN)
    login(client, make_user())
    family = TokenFamily.objects.get(user__role=Role.TEACHER)
    client.force_login(admin)
    assert client.get("/admin/accounts/tokenfamily/").status_code == 200
    page = client.get(f"/admin/accounts/tokenfamily/{family.pk}/change/")
    assert page.status_code == 200
    assert family.refresh_jti not in page.content.decode()
    assert family.password_fingerprint not in page.content.decode()
