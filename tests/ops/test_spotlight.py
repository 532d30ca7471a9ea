"""SENTRY_SPOTLIGHT: events reach a local sidecar, scrubbed as they would be for Sentry."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sentry_sdk

from monitoring.conf import SentryConfig
from monitoring.env import ConfigError
from tests.ops.spotlight_sidecar import SpotlightSidecar
from tests.support.servers import ROOT, app_environment

CHILD_NAME = "mia-grade3-student"
CHILD_EMAIL = "mia.parent@example.com"
PARENT_PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture
def sidecar():
    sidecar = SpotlightSidecar().start()
    yield sidecar
    sidecar.stop()


def config(**environ: str) -> SentryConfig:
    return SentryConfig.from_env(environ, app_version="1.2.3", debug=False)


def test_spotlight_config__boolean_or_url():
    assert config().spotlight is False
    assert config(SENTRY_SPOTLIGHT="true").spotlight is True
    assert config(SENTRY_SPOTLIGHT="off").spotlight is False
    url = "http://127.0.0.1:8969/stream"
    assert config(SENTRY_SPOTLIGHT=url).spotlight == url


@pytest.mark.parametrize("value", ["ture", "ftp://127.0.0.1/stream", "http://", "localhost:8969"])
def test_spotlight_config__anything_else_is_refused(value):
    with pytest.raises(ConfigError, match="SENTRY_SPOTLIGHT"):
        config(SENTRY_SPOTLIGHT=value)


def test_spotlight_config__refused_in_a_hardened_environment():
    with pytest.raises(ConfigError, match="development"):
        config(SENTRY_SPOTLIGHT="true", SENTRY_ENVIRONMENT="production")


def test_spotlight_startup__a_bad_value_stops_the_app_with_one_line():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=app_environment({"SENTRY_SPOTLIGHT": "yes-please", "LOG_FILE": ""}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "toolbox: configuration error: SENTRY_SPOTLIGHT='yes-please' is invalid: expected a "
        "boolean or the sidecar URL, e.g. http://localhost:8969/stream"
    ]


def _raise_with_personal_data() -> None:
    email = CHILD_EMAIL  # noqa: F841 -- a local variable the SDK would attach to the frame
    password = PARENT_PASSWORD  # noqa: F841
    raise RuntimeError(f"could not enrol {CHILD_NAME} <{CHILD_EMAIL}>")


def test_spotlight__dsn_less_events_reach_the_sidecar_scrubbed(configure_sentry, sidecar):
    """The SDK turns send_default_pii on in DSN-less Spotlight mode; ours stays off."""
    configure_sentry("development", dsn="", spotlight=sidecar.url)
    assert sentry_sdk.get_client().should_send_default_pii() is False

    with sentry_sdk.new_scope() as scope:
        scope.set_user({"id": "17", "username": CHILD_NAME, "email": CHILD_EMAIL})
        try:
            _raise_with_personal_data()
        except RuntimeError:
            sentry_sdk.capture_exception()
    sentry_sdk.flush(timeout=5)
    assert sidecar.received.wait(10), "Spotlight sidecar got nothing"

    (event,) = sidecar.events()
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    # Our before_send ran: the error policy tagged it, scrubbing removed the personal data.
    assert event["tags"]["error_category"]
    everything = b"\n".join(sidecar.raw)
    for planted in (CHILD_NAME, CHILD_EMAIL, PARENT_PASSWORD):
        assert planted.encode() not in everything
    assert sidecar.paths == ["/stream"]
