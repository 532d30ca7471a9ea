"""The HTTP transport the SDK uses to reach Sentry, tuned so that Sentry can never hurt us.

The SDK's default transport waits up to 30 s per envelope and lets urllib3 retry each connection
several times. Its single sender thread then falls far behind a slow or dead Sentry. We send each
envelope once with a short timeout: what cannot be delivered is dropped, the queue stays bounded
and worker shutdown stays quick.

What is lost is counted where operators look (``/metrics``): the SDK reports every dropped item
to ``record_lost_event`` (for its client reports), and we count the same calls by reason and data
category, with every send attempt by outcome next to them.

Each envelope goes over one kept-alive HTTP/1.1 connection (``SentryConnection``, the standard
library's ``http.client``) rather than urllib3's pool manager: measured in the SDK's sender
thread, urllib3's layers (pool lookup, URL parsing, retry and response objects) cost more CPU per
envelope than the request itself, and every sampled transaction is one envelope. urllib3 is kept
for what it does and we do not: proxies, custom socket options, TCP keep-alive probes.
"""

from __future__ import annotations

import http.client
import os
import ssl
import threading
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import certifi
import urllib3
from sentry_sdk.transport import HttpTransport
from sentry_sdk.utils import capture_internal_exceptions
from urllib3.util.wait import wait_for_read

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
    _dropped(reason, data_category).inc(quantity)


@lru_cache(maxsize=256)
def _dropped(reason: str, data_category: str) -> Any:
    # The counter's child for a pair (the SDK's reasons and categories are a few dozen): every
    # unsampled transaction counts two ("sample_rate"), and ``labels`` costs ~3 µs a lookup.
    return SENTRY_EVENTS_DROPPED.labels(reason, data_category)


# Sentry answers an envelope with a few bytes of JSON; a DSN pointing at something else (a
# misconfigured proxy, a hostile host) must not make the sender thread hold a body of any size.
MAX_ANSWER_BYTES = 64 * 1024


class SentryResponse:
    """What the SDK reads of an answer: status, headers (case-insensitive ``get``), body."""

    __slots__ = ("status", "headers", "data")

    def __init__(self, status: int, headers: Any, data: bytes) -> None:
        self.status, self.headers, self.data = status, headers, data

    def close(self) -> None:
        pass


class SentryConnection:
    """One persistent connection to Sentry, opened on first use and again whenever it dropped.

    The SDK sends from one thread; the lock only keeps a second caller from interleaving
    requests on the socket. Any error closes the connection (the next envelope opens a new one)
    and is raised to the SDK, which drops the envelope: one attempt, as with urllib3 before.
    """

    def __init__(self, url: str, timeout: float, ssl_context: ssl.SSLContext | None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "", parts.port
        self.timeout = timeout
        self.ssl_context = ssl_context if parts.scheme == "https" else None
        self._connection: http.client.HTTPConnection | None = None
        self._targets: dict[str, str] = {}
        self._lock = threading.Lock()

    def _target(self, url: str) -> str:
        target = self._targets.get(url)
        if target is None:
            parts = urlsplit(url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            self._targets[url] = target
        return target

    def _open(self) -> http.client.HTTPConnection:
        connection = self._connection
        if connection is not None and connection.sock is not None:
            # Readable while idle means Sentry closed it (or broke the protocol): start afresh,
            # as urllib3 does, instead of losing the next envelope to a dead socket.
            if not wait_for_read(connection.sock, timeout=0.0):
                return connection
            connection.close()
        if self.ssl_context is not None:
            connection = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        else:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self._connection = connection
        return connection

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: Any = None
    ) -> SentryResponse:
        with self._lock:
            connection = self._open()
            try:
                connection.request(method, self._target(url), body=body, headers=headers or {})
                response = connection.getresponse()
                data = response.read(MAX_ANSWER_BYTES + 1)
            except BaseException:
                self._close()
                raise
            if response.will_close or len(data) > MAX_ANSWER_BYTES:
                # Longer than any answer of Sentry's: leave the rest unread, with the socket.
                self._close()
                data = data[:MAX_ANSWER_BYTES]
            return SentryResponse(response.status, response.headers, data)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        """Close it unless a request is under way: that one closes it when it fails or ends
        (never wait here for a Sentry that hangs, this runs at worker shutdown)."""
        if self._lock.acquire(blocking=False):
            try:
                self._close()
            finally:
                self._lock.release()


def ssl_context(options: dict[str, Any]) -> ssl.SSLContext:
    """Verify Sentry's certificate against the bundle the SDK would use (its ``ca_certs``
    option, then ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE``, then certifi); client certificate as
    the SDK's ``cert_file``/``key_file`` (or ``CLIENT_CERT_FILE``/``CLIENT_KEY_FILE``)."""
    context = ssl.create_default_context(
        cafile=options["ca_certs"]
        or os.environ.get("SSL_CERT_FILE")
        or os.environ.get("REQUESTS_CA_BUNDLE")
        or certifi.where()
    )
    cert_file = options["cert_file"] or os.environ.get("CLIENT_CERT_FILE")
    if cert_file:
        context.load_cert_chain(cert_file, options["key_file"] or os.environ.get("CLIENT_KEY_FILE"))
    return context


class MonitoringTransport(HttpTransport):
    TIMEOUT = SEND_TIMEOUT_SECONDS

    def _make_pool(self) -> Any:
        if self.parsed_dsn is None:
            raise ValueError("Cannot create HTTP-based transport without valid DSN")
        if self._resolve_proxy() or self.options["socket_options"] or self.options["keep_alive"]:
            return super()._make_pool()
        context = None
        if self.parsed_dsn.scheme == "https":
            try:
                context = ssl_context(self.options)
            except OSError:
                # A CA bundle or client certificate that cannot be read must not stop the app:
                # the SDK's own pool, whose sends then fail (and are counted as lost).
                return super()._make_pool()
        return SentryConnection(str(self._auth.get_api_url()), self.TIMEOUT, context)

    def kill(self) -> None:
        super().kill()
        if isinstance(self._pool, SentryConnection):
            self._pool.close()

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
