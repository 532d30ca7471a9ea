"""The HTTP transport the SDK uses to reach Sentry, tuned so that Sentry can never hurt us.

The SDK's default transport waits up to 30 s per envelope and lets urllib3 retry each connection
several times. Its single sender thread then falls far behind a slow or dead Sentry. We send each
envelope once with a short timeout: what cannot be delivered is dropped, the queue stays bounded
and worker shutdown stays quick.

What is lost is counted where operators look (``/metrics``): the SDK reports every dropped item
to ``record_lost_event`` (for its client reports), and we count the same calls by reason and data
category, with every send attempt by outcome next to them.
"""

from __future__ import annotations

from typing import Any

import urllib3
from sentry_sdk.transport import HttpTransport
from sentry_sdk.utils import capture_internal_exceptions

from monitoring.metrics import delivery
from monitoring.metrics.registry import SENTRY_EVENTS_DROPPED, SENTRY_SEND_ATTEMPTS

SEND_TIMEOUT_SECONDS = 2.0

# Categories the SDK records as byte sizes next to the item counts: not events.
BYTE_CATEGORIES = frozenset({"log_byte", "trace_metric_byte"})
# Batched items hold several events; the item says how many.
BATCHED_CATEGORIES = frozenset({"span", "log_item", "trace_metric"})

ACCEPTED = "accepted"
RATE_LIMITED = "rate_limited"
REJECTED = "rejected"
NETWORK_ERROR = "network_error"


def send_outcome(status: int) -> str:
    if 200 <= status < 300:
        return ACCEPTED
    return RATE_LIMITED if status == 429 else REJECTED


def count_lost(reason: str, data_category: str | None, item: Any, quantity: int) -> None:
    """Count one ``record_lost_event`` call: items of a category, never bytes."""
    if item is not None:
        data_category = item.data_category
        quantity = 1
        if data_category in BATCHED_CATEGORIES:
            item_count = item.headers.get("item_count")
            if isinstance(item_count, int) and item_count > 0:
                quantity = item_count
    if data_category is None or data_category in BYTE_CATEGORIES or quantity <= 0:
        return
    SENTRY_EVENTS_DROPPED.labels(reason, data_category).inc(quantity)


class MonitoringTransport(HttpTransport):
    TIMEOUT = SEND_TIMEOUT_SECONDS

    def _get_pool_options(self) -> dict[str, Any]:
        options = super()._get_pool_options()
        options["retries"] = urllib3.util.Retry(total=0, redirect=0, raise_on_status=False)
        return options

    def record_lost_event(
        self,
        reason: str,
        data_category: Any = None,
        item: Any = None,
        *,
        quantity: int = 1,
    ) -> None:
        # Counted even when client reports are off; the SDK calls this back for the spans of a
        # lost transaction, which are counted as their own category.
        with capture_internal_exceptions():
            count_lost(reason, data_category, item, quantity)
        super().record_lost_event(reason, data_category, item, quantity=quantity)

    def _request(self, method: str, endpoint_type: Any, body: Any, headers: Any) -> Any:
        try:
            response = super()._request(method, endpoint_type, body, headers)
        except Exception:
            SENTRY_SEND_ATTEMPTS.labels(NETWORK_ERROR).inc()
            with capture_internal_exceptions():
                delivery.record_failure()
            raise
        outcome = send_outcome(response.status)
        SENTRY_SEND_ATTEMPTS.labels(outcome).inc()
        with capture_internal_exceptions():
            if outcome == ACCEPTED:
                delivery.record_success()
            else:
                delivery.record_failure()
        return response

    def _update_rate_limits(self, response: Any) -> None:
        super()._update_rate_limits(response)
        with capture_internal_exceptions():
            until = [ts for ts in self._disabled_until.values() if ts is not None]
            delivery.record_rate_limited_until(max(until, default=None))
