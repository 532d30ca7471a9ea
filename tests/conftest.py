"""Shared fixtures: a real Sentry receiver on loopback and the SDK pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from monitoring.conf import SentryConfig
from monitoring.sentry import init_sentry
from tests.support.sentry_receiver import SentryReceiver

# Fixtures shared by several test packages.
pytest_plugins = ["tests.support.ratelimit"]

TEST_RELEASE = "toolbox@9.9.9-test"
TEST_SERVER_NAME = "toolbox-test-host"

ConfigureSentry = Callable[..., SentryConfig]


@pytest.fixture(autouse=True)
def _fresh_runtime_settings():
    """Admin overrides are cached per process: no test sees another's."""
    from monitoring import alerts, runtime

    runtime.reset()
    alerts.reset_window()
    yield
    runtime.reset()


@pytest.fixture
def configure_sentry(settings) -> Iterator[ConfigureSentry]:
    """Initialise the SDK (and ``settings.SENTRY``) with a config built for the test.

    ``configure_sentry(environment="production", dsn=receiver.dsn, traces_sample_rate=0.0)``
    """

    def configure(environment: str = "development", **overrides: object) -> SentryConfig:
        overrides.setdefault("release", TEST_RELEASE)
        overrides.setdefault("server_name", TEST_SERVER_NAME)
        config = SentryConfig.for_environment(environment, **overrides)
        settings.SENTRY = config
        init_sentry(config)
        return config

    yield configure
    init_sentry(SentryConfig())


@pytest.fixture
def sentry_receiver(configure_sentry: ConfigureSentry) -> Iterator[SentryReceiver]:
    """A receiver on 127.0.0.1 and the SDK (development config) delivering to it."""
    receiver = SentryReceiver().start()
    configure_sentry("development", dsn=receiver.dsn)
    yield receiver
    receiver.stop()


@pytest.fixture
def http(live_server) -> Iterator[httpx.Client]:
    """An HTTP client for the app served by a real WSGI server on loopback."""
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        yield client
