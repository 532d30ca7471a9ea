"""Browser envelopes as the Sentry browser SDK builds them, and signed-in sessions for them."""

from __future__ import annotations

import json
import uuid
import zlib
from typing import Any

from django.test import Client
from sentry_sdk.envelope import Envelope, Item, PayloadRef

TUNNEL = "/api/v1/sentry-tunnel"
PLANTED_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNlY3JldA"


def session_cookies(user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def browser_event(message: str, **extra: Any) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "timestamp": 1_750_000_000.0,
        "platform": "javascript",
        "level": "error",
        "sdk": {"name": "sentry.javascript.browser", "version": "11.17.0"},
        "exception": {
            "values": [
                {
                    "type": "Error",
                    "value": message,
                    "stacktrace": {
                        "frames": [{"filename": "/static/app.js", "function": "go", "lineno": 3}]
                    },
                    "mechanism": {"type": "onerror", "handled": False},
                }
            ]
        },
        "contexts": {"trace": {"trace_id": "a" * 32, "span_id": "b" * 16}},
        **extra,
    }


def envelope_bytes(dsn: str, *items: tuple[str, Any], headers: dict | None = None) -> bytes:
    envelope = Envelope(
        headers={
            "event_id": uuid.uuid4().hex,
            "dsn": dsn,
            "sent_at": "2026-01-01T00:00:00Z",
            "sdk": {"name": "sentry.javascript.browser", "version": "11.17.0"},
            **(headers or {}),
        }
    )
    for kind, payload in items:
        if isinstance(payload, bytes):
            envelope.add_item(Item(payload=PayloadRef(bytes=payload), type=kind))
        else:
            envelope.add_item(Item(payload=PayloadRef(json=payload), type=kind))
    return envelope.serialize()


def replay_items(text: str) -> list[tuple[str, Any]]:
    """A replay event and its recording (compressed, as the SDK's worker sends it)."""
    replay_id = uuid.uuid4().hex
    frames = [{"type": 3, "timestamp": 1, "data": {"source": 5, "id": 7, "text": text}}]
    recording = b'{"segment_id":0}\n' + zlib.compress(json.dumps(frames).encode())
    event = {
        "type": "replay_event",
        "replay_id": replay_id,
        "event_id": replay_id,
        "segment_id": 0,
        "timestamp": 1_750_000_000.0,
        "replay_start_timestamp": 1_750_000_000.0,
        "replay_type": "buffer",
        "urls": ["http://127.0.0.1/probe-page/"],
        "platform": "javascript",
    }
    return [("replay_event", event), ("replay_recording", recording)]
