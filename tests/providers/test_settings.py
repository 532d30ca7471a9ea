"""The provider settings are parsed as strictly as every other variable."""

from __future__ import annotations

import pytest

from tests.support.servers import load_settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OPENAI_TIMEOUT_SECONDS", "soon"),
        ("OPENAI_TIMEOUT_SECONDS", "0"),
        ("LLM_BREAKER_FAIL_MAX", "0"),
        ("LLM_BREAKER_RESET_SECONDS", "-5"),
        ("OPENAI_BASE_URL", "api.openai.com/v1"),
        ("OPENAI_BASE_URL", "ftp://llm.example/v1"),
    ],
)
def test_settings__bad_provider_variable_stops_with_one_line(variable, value):
    result = load_settings(**{variable: value, "OPENAI_API_KEY": "sk-never-shown-0123456789"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"toolbox: configuration error: {variable}={value!r} is invalid: expected "
        + ("a URL like https://host/v1" if variable == "OPENAI_BASE_URL" else "a whole number >= 1")
    )


def test_settings__provider_defaults(settings):
    assert settings.OPENAI_MODEL == "gpt-4o-mini"
    assert settings.OPENAI_BASE_URL == "https://api.openai.com/v1"
    assert settings.OPENAI_TIMEOUT_SECONDS == 30
    assert (settings.LLM_BREAKER_FAIL_MAX, settings.LLM_BREAKER_RESET_SECONDS) == (5, 60)
