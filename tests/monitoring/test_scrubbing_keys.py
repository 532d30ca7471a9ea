"""monitoring.scrubbing key rules: which keys are secret, which personal, which ordinary.

Part of "nothing secret (nor, with PII off, personal) leaves the process": a value under a
secret key is filtered whatever the PII setting, under a personal key only with PII off, and
ordinary keys that merely look alike are left alone. Usage figures under *token* keys keep their
numbers but not text; numbers under secret keys are filtered; booleans and None never are.
"""

from __future__ import annotations

import pytest

from monitoring.scrubbing import FILTERED, is_sensitive_key, scrub

# --- key rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "new_password",
        "newPassword",
        "passwd",
        "pwd",
        "client_secret",
        "OPENAI_API_KEY",
        "x-api-key",
        "apiKey",
        "access_token",
        "refresh_token",
        "refreshToken",
        "token",
        "X-Auth-Token",
        "HTTP_AUTHORIZATION",
        "Authorization",
        "oauth_state",
        "credentials",
        "sessionid",
        "session",
        "csrftoken",
        "X-CSRFToken",
        "xsrf-token",
        "Cookie",
        "Set-Cookie",
        "jwt",
        "bearer",
        "private_key",
        "card",
        "card_number",
        "credit_card",
        "cvv",
        "ssn",
        "pin",
        "SENTRY_DSN",
    ],
)
def test_is_sensitive_key__secret_keys_whatever_the_pii_setting(key):
    assert is_sensitive_key(key)
    assert is_sensitive_key(key, pii=True)


@pytest.mark.parametrize(
    "key",
    [
        "email",
        "E-Mail",
        "parent_email",
        "ip_address",
        "ipAddress",
        "REMOTE_ADDR",
        "X-Forwarded-For",
        "X-Real-Ip",
        "client_ip",
        "phone",
        "username",
        "user.name",
        "first_name",
        "date_of_birth",
        "gen_ai.request.messages",
    ],
)
def test_is_sensitive_key__personal_keys_only_with_pii_off(key):
    assert is_sensitive_key(key, pii=False)
    assert not is_sensitive_key(key, pii=True)


@pytest.mark.parametrize(
    "key",
    [
        "author",
        "authors",
        "authority",
        "authentication_method",
        "auth_backend",
        "flashcard",
        "flash_card",
        "cards_generated",
        "classname",
        "zip",
        "name",
        "lesson",
        "gen_ai.request.model",
        "key",
        "cache_key",
    ],
)
def test_is_sensitive_key__ordinary_keys_are_not_sensitive(key):
    assert not is_sensitive_key(key)


@pytest.mark.parametrize(
    "key", ["tokens_used", "token_count", "total_tokens", "gen_ai.usage.input_tokens", "max_tokens"]
)
def test_scrub__usage_figures_keep_numbers_but_not_text(key):
    assert scrub({key: 321}, pii=False) == {key: 321}
    assert scrub({key: 1.5}, pii=False) == {key: 1.5}
    assert scrub({key: "321"}, pii=False) == {key: "321"}
    assert scrub({key: "abc-secret"}, pii=False) == {key: FILTERED}
    assert scrub({key: ["abc-secret", 3]}, pii=False) == {key: [FILTERED, 3]}


def test_scrub__numbers_under_secret_keys_are_filtered():
    result = scrub({"token": 483920, "pin": 1234, "access_token": 5, "card_number": 4111}, pii=True)
    assert set(result.values()) == {FILTERED}


def test_scrub__booleans_and_none_are_never_secret():
    data = {"is_authenticated": True, "password": None, "has_password": False}
    assert scrub(data, pii=False) == data
