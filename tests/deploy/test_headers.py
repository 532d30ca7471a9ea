"""Production headers, from a real gunicorn server in a hardened environment."""

from __future__ import annotations

import re

import pytest

from tests.support.deploy import strong_secret_key
from tests.support.servers import start_gunicorn

pytestmark = pytest.mark.slow

HTTPS = {"X-Forwarded-Proto": "https"}


def start(tmp_path, server_database, **extra: str):
    return start_gunicorn(
        tmp_path,
        {
            "SENTRY_ENVIRONMENT": "production",
            "SECRET_KEY": strong_secret_key(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": server_database.url,
            "REDIS_URL": "",
            "LOG_FILE": "",
            **extra,
        },
        wait_path="/health",
    )


@pytest.fixture
def tls_proxied(tmp_path, server_database):
    server = start(tmp_path, server_database, BEHIND_TLS_PROXY="true")
    yield server
    server.stop()


def test_behind_tls_proxy__plain_http_is_redirected_but_health_probes_are_not(tls_proxied):
    plain = tls_proxied.get("/api/v1/auth/me")
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{tls_proxied.port}/api/v1/auth/me"
    assert tls_proxied.get("/health").status_code == 200


def test_behind_tls_proxy__https_responses_carry_hsts_and_secure_cookies(tls_proxied):
    login = tls_proxied.get("/admin/login/", headers=HTTPS)
    assert login.status_code == 200
    assert login.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("csrftoken=") and "Secure" in cookie


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (directive.split() for directive in policy.split(";") if directive)
    }


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs"])
def test_html_pages__csp_allows_only_our_own_scripts(tls_proxied, path):
    page = tls_proxied.get(path, headers=HTTPS)
    assert page.status_code == 200
    directives = csp_directives(page)
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Every script and stylesheet the page loads is ours (no CDN the policy would block), and no
    # inline script (which it would block too) is needed.
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page.text)
    assert inline == []


def test_without_tls_proxy__a_client_cannot_claim_https(tmp_path, server_database):
    """Only a proxy we declared may say "https": a client's X-Forwarded-Proto is ignored."""
    server = start(tmp_path, server_database)
    try:
        response = server.get("/admin/login/", headers=HTTPS)
        assert response.status_code == 200
        assert "Strict-Transport-Security" not in response.headers
        assert server.get("/api/v1/auth/me").status_code == 401  # no redirect either
    finally:
        server.stop()
