"""Circuit breakers the app runs, as seen by /health and /metrics, and told to Sentry when one
opens.

Whoever owns a breaker registers a function returning its state ("closed", "open",
"half-open"); monitoring only reads them, so it depends on no provider. A breaker that trips
reports it with :func:`circuit_open_report`, the one shape of that warning (the LLM's breaker in
providers, the LMS platforms' in lti).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sentry_sdk
from sentry_sdk.utils import capture_internal_exceptions

from monitoring import errors
from monitoring.guards import when_sentry_active

OPEN = "open"

_sources: dict[str, Callable[[], str]] = {}


def register_circuit(name: str, state: Callable[[], str]) -> None:
    _sources[name] = state


def circuit_states() -> dict[str, str]:
    states = {}
    for name, state in sorted(_sources.items()):
        states[name] = "unknown"
        with capture_internal_exceptions():
            states[name] = state()
    return states


@when_sentry_active()
def circuit_open_report(
    name: str,
    *,
    component: str,
    service: str,
    fail_max: int,
    consequence: str,
    context: Mapping[str, Any] | None = None,
) -> None:
    """One warning-level Sentry message: breaker ``name`` opened after ``fail_max`` consecutive
    failures, then what follows (``consequence``). Tagged with the owner's ``component``,
    ``error_category: external_api``, the ``service`` and the breaker; grouped per breaker;
    ``context`` (if any) becomes the ``circuit_breaker`` context."""
    with capture_internal_exceptions(), sentry_sdk.new_scope() as scope:
        scope.set_level("warning")
        scope.set_tag("component", component)
        scope.set_tag("error_category", errors.EXTERNAL_API)
        scope.set_tag("service", service)
        scope.set_tag("circuit_breaker", name)
        if context is not None:
            scope.set_context("circuit_breaker", dict(context))
        scope.fingerprint = ["circuit-breaker", str(name), OPEN]
        sentry_sdk.capture_message(
            f"Circuit breaker {name} opened after {fail_max} consecutive failures: {consequence}",
            level="warning",
        )
