from __future__ import annotations

from typing import Any

import sentry_sdk
from django import template

from monitoring.browser.config import browser_config

register = template.Library()


@register.simple_tag(takes_context=True)
def browser_monitoring_config(context: dict[str, Any]) -> dict[str, Any] | None:
    request = context.get("request")
    return browser_config(getattr(request, "user", None))


@register.simple_tag
def sentry_trace_meta() -> dict[str, str]:
    """The trace of the request rendering the page, for the browser's page-load transaction to
    continue (one trace from the server's view to the page's clicks)."""
    return {
        "sentry_trace": sentry_sdk.get_traceparent() or "",
        "baggage": sentry_sdk.get_baggage() or "",
    }
