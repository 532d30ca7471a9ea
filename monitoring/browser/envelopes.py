"""One browser envelope through the tunnel: checked, scrubbed, then forwarded with our transport.

Browsers send what Sentry's browser SDK builds; anyone can post anything. So the tunnel trusts
nothing in the envelope:

* the envelope must name our browser DSN (scheme, host, port, public key and project id), or it
  is refused (403) and nothing is forwarded: the tunnel is no open relay to other projects;
* items are allow-listed by type. ``event`` and ``transaction`` go through the server's own
  hooks (monitoring.scrubbing ``before_send``/``before_send_transaction``, PII as configured for
  the server but user data always off, see below); ``replay_event``/``replay_recording`` only for
  a signed-in teacher or admin (a student's or an anonymous visitor's replay is dropped), with
  the recording's text scrubbed; ``session(s)`` lose their distinct id and IP; ``client_report``
  holds counts only. Anything else (attachments, feedback, profiles, streamed spans, logs) is
  dropped and counted;
* the user of every item is the one the server knows from the session (opaque id and role) or
  none: whatever user, e-mail or IP the client claims is discarded, ``ip_address`` is removed and
  Sentry is told not to infer one (``sdk.settings.infer_ip: never``); request cookies and every
  header but User-Agent go; the names of the signed-in user and of the people in their classes
  are redacted everywhere (monitoring.scrubbing.personal);
* the envelope header keeps only what Sentry needs (event id, sent_at, sdk, the trace's
  sampling context without user fields).

Forwarding hands the envelope to the SDK's transport (monitoring.transport: bounded queue, short
timeout, drops counted): the request never waits on Sentry.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sentry_sdk
from django.conf import settings
from django.http import HttpRequest
from sentry_sdk.envelope import Envelope, Item, PayloadRef

from monitoring.browser.config import browser_user, dsn_parts, replay_allowed
from monitoring.metrics.registry import BROWSER_ENVELOPES, BROWSER_ITEMS_DROPPED
from monitoring.scrubbing import (
    before_send,
    before_send_transaction,
    names_pattern,
    redact_names,
    scrub,
)

MAX_ITEMS = 32
MAX_HEADER_BYTES = 8192
# A replay segment is compressed in the browser; decompressed, it may not grow past this.
MAX_RECORDING_BYTES = 4 * 1024 * 1024

FORWARDED = "forwarded"
DROPPED = "dropped"

_HEADER_KEEP = frozenset({"event_id", "sent_at", "sdk"})
_TRACE_KEEP = frozenset(
    {
        "trace_id", "public_key", "sample_rate", "sampled", "sample_rand", "release",
        "environment", "transaction", "replay_id", "org_id",
    }
)  # fmt: skip
_REQUEST_HEADERS_KEEP = frozenset({"user-agent"})
_REPLAY_TYPES = frozenset({"replay_event", "replay_recording"})


class TunnelRefused(Exception):
    """The envelope is not forwarded: ``status`` for the client, ``reason`` for /metrics."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.reason = reason
        self.detail = detail


@dataclass
class RawItem:
    headers: dict[str, Any]
    payload: bytes


def count_dropped(reason: str) -> None:
    BROWSER_ENVELOPES.labels(DROPPED, reason).inc()


def envelope_body_read(request: HttpRequest, limit: int) -> bytes:
    """The posted envelope's bytes: uncompressed (a compressed body could hide a decompression
    bomb), at most ``limit`` bytes (refused before reading when the declared length is over) and
    not empty; else :class:`TunnelRefused`."""
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise TunnelRefused(415, "unsupported_encoding", "Send the envelope uncompressed")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise TunnelRefused(413, "too_large", f"Envelope larger than {limit} bytes")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise TunnelRefused(413, "too_large", f"Envelope larger than {limit} bytes")
    if not body.strip():
        raise TunnelRefused(400, "malformed", "Empty envelope")
    return body


def _json(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        raise TunnelRefused(400, "malformed", "Malformed envelope") from None


def parse_envelope(body: bytes) -> tuple[dict[str, Any], list[RawItem]]:
    """Split the body into the envelope header and items (Sentry's envelope format)."""
    newline = body.find(b"\n")
    header_line = body if newline == -1 else body[:newline]
    if len(header_line) > MAX_HEADER_BYTES:
        raise TunnelRefused(400, "malformed", "Malformed envelope")
    headers = _json(header_line)
    if not isinstance(headers, dict):
        raise TunnelRefused(400, "malformed", "Malformed envelope")
    items: list[RawItem] = []
    position = len(body) if newline == -1 else newline + 1
    while position < len(body):
        end = body.find(b"\n", position)
        line = body[position : len(body) if end == -1 else end]
        position = len(body) if end == -1 else end + 1
        if not line.strip():
            continue
        item_headers = _json(line)
        if not isinstance(item_headers, dict) or not isinstance(item_headers.get("type"), str):
            raise TunnelRefused(400, "malformed", "Malformed envelope item")
        length = item_headers.get("length")
        if length is not None:
            if not isinstance(length, int) or length < 0 or position + length > len(body):
                raise TunnelRefused(400, "malformed", "Malformed envelope item")
            payload = body[position : position + length]
            position += length
            if body[position : position + 1] == b"\n":
                position += 1
        else:
            end = body.find(b"\n", position)
            payload = body[position : len(body) if end == -1 else end]
            position = len(body) if end == -1 else end + 1
        items.append(RawItem(item_headers, payload))
        if len(items) > MAX_ITEMS:
            raise TunnelRefused(400, "malformed", "Too many items in envelope")
    return headers, items


def check_dsn(headers: dict[str, Any], expected: str) -> None:
    claimed = headers.get("dsn")
    ours = dsn_parts(expected)
    if not isinstance(claimed, str) or ours is None or dsn_parts(claimed) != ours:
        raise TunnelRefused(403, "foreign_dsn", "Envelope is not for this project")


def _envelope_headers(headers: dict[str, Any], dsn: str) -> dict[str, Any]:
    kept = {key: headers[key] for key in _HEADER_KEEP if key in headers}
    trace = headers.get("trace")
    if isinstance(trace, dict):
        kept["trace"] = scrub(
            {key: value for key, value in trace.items() if key in _TRACE_KEEP}, pii=False
        )
    kept["dsn"] = dsn
    return kept


class ItemPolicy:
    """Scrubs the items of one request's envelope, for the user the server knows."""

    def __init__(self, user: Any, names: set[str]) -> None:
        self.user = browser_user(user)
        self.replay = replay_allowed(user)
        self.names = names_pattern(names)
        self.pii = bool(settings.SENTRY.send_default_pii)

    def _identity(self, event: dict[str, Any]) -> dict[str, Any]:
        """The server's view of who and where, whatever the browser claimed."""
        if self.user is None:
            event.pop("user", None)
        else:
            event["user"] = dict(self.user)
        sdk = event.get("sdk")
        if isinstance(sdk, dict):
            sdk["settings"] = {**(sdk.get("settings") or {}), "infer_ip": "never"}
        request = event.get("request")
        if isinstance(request, dict):
            request.pop("cookies", None)
            request.pop("env", None)
            request.pop("data", None)
            headers = request.get("headers")
            if isinstance(headers, dict):
                request["headers"] = {
                    key: value
                    for key, value in headers.items()
                    if str(key).lower() in _REQUEST_HEADERS_KEEP
                }
        elif request is not None:
            event.pop("request", None)
        return event

    def _event(self, payload: bytes, hook: Any) -> dict[str, Any] | None:
        event = json.loads(payload)
        if not isinstance(event, dict):
            return None
        event = self._identity(event)
        # The server's hooks, with user data off whatever the server's setting: browsers are
        # children's as often as not.
        event = hook(event, {}, pii=False)
        if event is None:
            return None
        event = redact_names(event, self.names)
        return self._identity(event)  # names redaction never touches the user we set

    def _recording(self, payload: bytes) -> bytes | None:
        newline = payload.find(b"\n")
        if newline == -1:
            return None
        header, body = payload[:newline], payload[newline + 1 :]
        json.loads(header)
        if body[:1] not in (b"[", b"{"):
            decompressor = zlib.decompressobj()
            body = decompressor.decompress(body, MAX_RECORDING_BYTES)
            if decompressor.unconsumed_tail:
                return None  # a decompression bomb, or more than we agree to read
        frames = json.loads(body)
        frames = redact_names(scrub(frames, pii=False), self.names)
        return header + b"\n" + json.dumps(frames, separators=(",", ":")).encode()

    def item(self, raw: RawItem) -> tuple[Item | None, str]:
        """The item to forward, or (None, the reason it is dropped)."""
        kind = raw.headers["type"]
        try:
            if kind in ("event", "transaction"):
                hook = before_send if kind == "event" else before_send_transaction
                event = self._event(raw.payload, hook)
                if event is None:
                    return None, "scrubbing_failed"
                return Item(payload=PayloadRef(json=event), type=kind), ""
            if kind in _REPLAY_TYPES:
                if not self.replay:
                    return None, "replay_not_allowed"
                if kind == "replay_event":
                    event = self._event(raw.payload, before_send)
                    if event is None:
                        return None, "scrubbing_failed"
                    return Item(payload=PayloadRef(json=event), type=kind), ""
                recording = self._recording(raw.payload)
                if recording is None:
                    return None, "malformed"
                return Item(payload=PayloadRef(bytes=recording), type=kind), ""
            if kind in ("session", "sessions"):
                session = json.loads(raw.payload)
                if not isinstance(session, dict):
                    return None, "malformed"
                session.pop("did", None)
                attrs = session.get("attrs")
                if isinstance(attrs, dict):
                    attrs.pop("ip_address", None)
                    attrs.pop("user_agent", None)
                return Item(payload=PayloadRef(json=scrub(session, pii=False)), type=kind), ""
            if kind == "client_report":
                report = json.loads(raw.payload)
                if not isinstance(report, dict):
                    return None, "malformed"
                return Item(payload=PayloadRef(json=report), type=kind), ""
        except (ValueError, TypeError, zlib.error, RecursionError):
            return None, "malformed"
        return None, "unsupported_type"


def envelope_filter(
    headers: dict[str, Any], items: list[RawItem], *, dsn: str, policy: ItemPolicy
) -> Envelope:
    """The envelope to forward (possibly without items)."""
    kept: list[Item] = []
    for raw in items:
        item, reason = policy.item(raw)
        if item is None:
            BROWSER_ITEMS_DROPPED.labels(reason, raw.headers["type"][:32]).inc()
        else:
            kept.append(item)
    # A replay is its event and its recording together; one without the other is useless.
    types = {item.type for item in kept}
    if types & _REPLAY_TYPES and not _REPLAY_TYPES <= types:
        for item in kept:
            if item.type in _REPLAY_TYPES:
                BROWSER_ITEMS_DROPPED.labels("replay_incomplete", item.type).inc()
        kept = [item for item in kept if item.type not in _REPLAY_TYPES]
    envelope = Envelope(headers=_envelope_headers(headers, dsn))
    for item in kept:
        envelope.add_item(item)
    envelope.headers.setdefault("sent_at", datetime.now(UTC).isoformat())
    return envelope


_transports: dict[str, Any] = {}


def browser_transport(dsn: str) -> Any:
    """The server SDK's transport, or one of the same kind for a browser DSN of its own."""
    client = sentry_sdk.get_client()
    if client.transport is None:
        return None
    if dsn == client.options.get("dsn"):
        return client.transport
    transport = _transports.get(dsn)
    if transport is None:
        transport = type(client.transport)({**client.options, "dsn": dsn})
        _transports[dsn] = transport
    return transport


def envelope_forward(*, body: bytes, dsn: str, user: Any, names: set[str]) -> int:
    """Check, scrub and queue one browser envelope; the number of items forwarded.

    Raises :class:`TunnelRefused` (counted) when the envelope is refused as a whole.
    """
    try:
        headers, items = parse_envelope(body)
        check_dsn(headers, dsn)
    except TunnelRefused as refused:
        count_dropped(refused.reason)
        raise
    envelope = envelope_filter(headers, items, dsn=dsn, policy=ItemPolicy(user, names))
    if not envelope.items:
        count_dropped("nothing_to_forward")
        return 0
    transport = browser_transport(dsn)
    if transport is None:
        count_dropped("sentry_off")
        return 0
    transport.capture_envelope(envelope)
    BROWSER_ENVELOPES.labels(FORWARDED, "ok").inc()
    return len(envelope.items)
