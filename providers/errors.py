"""Provider failures. Each carries the error category the monitoring error policy tags it with.

* :class:`ProviderUnavailable` (``external_api``): the call failed: timeout, connection refused,
  an HTTP error status (5xx, 429, 401...). The service, not the content, is the problem.
* :class:`ProviderOutputInvalid` (``ai_agents``): the service answered, but not with what was
  asked: not JSON, JSON that does not match the schema, the wrong number of questions, duplicate
  options, a refusal or a truncated answer. Nothing of it is stored.

Both count as failures for the circuit breaker. When the selection layer falls back to offline it
reports them with ``capture_educational_content_error`` (see :mod:`providers.selection`).
"""

from __future__ import annotations

from typing import ClassVar

from monitoring import errors
from providers.base import INVALID_OUTPUT, PROVIDER_UNAVAILABLE

# The Sentry ``component`` of provider failures, whichever app asked: one failing provider is
# one issue, not one per app.
COMPONENT = "providers"


class ProviderError(Exception):
    error_category: ClassVar[str] = errors.EXTERNAL_API
    fallback_reason: ClassVar[str] = PROVIDER_UNAVAILABLE

    def __init__(self, message: str, *, service: str) -> None:
        super().__init__(message)
        self.service = service
        self.sentry_component = COMPONENT
        self.sentry_tags = {"service": service}


class ProviderUnavailable(ProviderError):
    pass


class ProviderOutputInvalid(ProviderError):
    error_category = errors.AI_AGENTS
    fallback_reason = INVALID_OUTPUT
