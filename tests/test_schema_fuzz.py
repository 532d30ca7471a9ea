"""Fuzz every operation of the OpenAPI schema (/api/openapi.json) with schemathesis.

Valid and invalid requests, generated from the schema, go to the WSGI app as a teacher (a fresh
Bearer token each, so a generated logout revokes nothing that the next case needs), with
``DEBUG`` off and the SDK in its production configuration. Every response must be below 500,
every error must be JSON in Ninja's ``{"detail": ...}`` shape, and Sentry must hear nothing:
client errors are not events in production.

The budget is small and fixed (``FUZZ_EXAMPLES`` cases per operation and phase, derandomised so
that CI is repeatable); ``TOOLBOX_FUZZ_EXAMPLES=500`` explores further on a developer's machine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import schemathesis
import sentry_sdk
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder

from accounts import tokens
from monitoring.conf import SentryConfig
from monitoring.sentry import init_sentry
from tests.accounts.factories import make_user
from tests.support.sentry_receiver import SentryReceiver
from toolbox.api import api

pytestmark = [
    pytest.mark.django_db,
    # schemathesis's own strategies; nothing this project can change.
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
]

FUZZ_EXAMPLES = int(os.environ.get("TOOLBOX_FUZZ_EXAMPLES", "10"))


@pytest.fixture(scope="module")
def production_sentry() -> Iterator[SentryReceiver]:
    """One receiver and the SDK in production policy for every operation's cases."""
    receiver = SentryReceiver().start()
    config = SentryConfig.for_environment("production", dsn=receiver.dsn, traces_sample_rate=0.0)
    with override_settings(SENTRY=config, DEBUG=False):
        init_sentry(config)
        yield receiver
    init_sentry(SentryConfig())
    receiver.stop()


@pytest.fixture
def production_receiver(production_sentry) -> Iterator[SentryReceiver]:
    """After all the cases of an operation, Sentry must have heard nothing (checked once per
    operation: a flush per case would cost more than the case)."""
    yield production_sentry
    sentry_sdk.flush(timeout=2)
    assert production_sentry.events == [], [e.get("exception") for e in production_sentry.events]


@pytest.fixture
def test_connection_kept():
    """The cases run in the test's transaction: like Django's test client, keep the request
    signals from closing its connection (PostgreSQL would lose the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def teacher(db):
    return make_user("teacher", username="fuzz-teacher")


CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "deterministic": True, "database": "none"},
        "phases": {
            # Besides boundary values: methods a route does not serve (two are enough to
            # reach the same handler).
            "coverage": {"enabled": True, "unexpected-methods": ["PUT", "TRACE"]},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)


def load_schema():
    """The document /api/openapi.json serves, built without a request (a request at collection
    would run the middleware's database work outside any test). schemathesis's lazy
    ``from_fixture`` does not work with pytest 9's node ids."""
    document = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    loaded = schemathesis.openapi.from_dict(document, config=CONFIG)
    loaded.app = get_wsgi_application()
    return loaded


schema = load_schema()


@schemathesis.check
def error_in_ninja_shape(ctx, response, case):
    """Every 4xx/5xx is JSON with a non-empty ``detail``."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    if not content_type.startswith("application/json"):
        raise AssertionError(f"{response.status_code} answered as {content_type!r}, not JSON")
    body = response.json()
    if not isinstance(body, dict) or not body.get("detail"):
        raise AssertionError(f"{response.status_code} without a 'detail': {body!r}")
    return True


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api__fuzzed_requests_never_5xx_errors_in_ninja_shape(
    case, teacher, production_receiver, test_connection_kept
):
    access = tokens.issue_pair(teacher.pk, teacher.role).access
    case.call_and_validate(
        headers={"Authorization": f"Bearer {access}"},
        checks=[schemathesis.checks.not_a_server_error, error_in_ninja_shape],
    )
