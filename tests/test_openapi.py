"""The OpenAPI document renders and documents every route (the interactive docs depend on it)."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi__renders_with_every_router(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/health",
        "/metrics",
        "/sentry/status",
        "/sentry-debug",
        "/api/v1/auth/login",
        "/api/v1/content/generate",
        "/api/v1/quizzes/generate",
        "/api/v1/terrain/generate",
        "/api/v1/roblox/scripts/compile",
    ):
        assert path in paths, path


def test_docs__interactive_page(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
