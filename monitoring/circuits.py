"""Circuit breakers the app runs, as seen by /health and /metrics.

Whoever owns a breaker registers a function returning its state ("closed", "open",
"half-open"); monitoring only reads them, so it depends on no provider.
"""

from __future__ import annotations

from collections.abc import Callable

from sentry_sdk.utils import capture_internal_exceptions

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
