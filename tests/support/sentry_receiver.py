"""A real Sentry ingestion endpoint on 127.0.0.1 for tests.

The SDK's own HTTP transport posts envelopes here; the receiver decompresses and parses them and
keeps every item so tests can assert on what actually left the process. It can also misbehave the
ways a real Sentry sometimes does: hang, rate-limit (429 with Retry-After) or fail (500).

The benchmarks use it too, with ``keep_payloads=False``: it then only counts items by type (see
``take``). Parsing and keeping every payload costs more CPU per envelope than the workers spend
producing it; under load the backlog would fill the SDK's queue and the SDK would drop envelopes,
flattering the configurations that send the most.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sentry_relay import StoreNormalizer
from sentry_sdk.envelope import Envelope as SdkEnvelope

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"
PROJECT_ID = 42


@dataclass
class Envelope:
    headers: dict[str, Any]
    items: list[tuple[dict[str, Any], Any]]
    raw: bytes
    path: str
    request_headers: dict[str, str]


def parse_envelope(body: bytes) -> tuple[dict[str, Any], list[tuple[dict[str, Any], Any]]]:
    """Split an envelope into its header and ``(item header, parsed payload)`` pairs."""
    envelope = SdkEnvelope.deserialize(body)
    items = []
    for item in envelope.items:
        payload = item.payload.get_bytes()
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = payload
        items.append((dict(item.headers), parsed))
    return dict(envelope.headers), items


# What ``take`` counts for a request whose body ended before its Content-Length.
INCOMPLETE = "incomplete"


def decode_body(body: bytes, encoding: str) -> bytes:
    """Undo every ``Content-Encoding`` the SDK may use: gzip by default, br where ``brotli`` is
    installed (the SDK then prefers it), deflate for completeness."""
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # only when the SDK chose brotli

        return brotli.decompress(body)
    return body


class QuietServer(ThreadingHTTPServer):
    """Says nothing when a client drops its connection: an SDK keeps one open until its process
    exits, which is not an error of the receiver's."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SentryReceiver:
    """Collects envelopes; ``mode`` is one of ``ok``, ``hang``, ``429``, ``500``.

    With ``keep_payloads=False`` nothing is kept: items are counted by type (``take``).
    """

    def __init__(
        self,
        mode: str = "ok",
        retry_after: int = 60,
        keep_payloads: bool = True,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
        close_after_answer: bool = False,
        answer_padding: int = 0,
    ) -> None:
        """``tls``: serve HTTPS with this server context. ``close_after_answer``: close each
        connection after its answer without saying so (as a Sentry's idle timeout would).
        ``answer_padding``: that many bytes of whitespace after each accepted envelope's JSON
        answer (a DSN pointing at something that is not Sentry)."""
        self.mode = mode
        self.answer_padding = answer_padding
        self.tls = tls
        self.close_after_answer = close_after_answer
        self.connections = 0
        self.closed_connections = 0
        self.retry_after = retry_after
        self.keep_payloads = keep_payloads
        self.envelopes: list[Envelope] = []
        self.counts: dict[str, int] = {}
        self.requests = 0
        self._lock = threading.Lock()
        self._release_hang = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # answer at once, no delayed-ACK wait per envelope

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver.connections += 1

            def finish(self) -> None:
                super().finish()
                with receiver._lock:
                    receiver.closed_connections += 1

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests += 1
                    if len(body) < length:
                        # The sender closed mid-body (its send timeout, or its process
                        # stopped): nothing to decode or answer; counted so a bench can say so.
                        receiver.counts[INCOMPLETE] = receiver.counts.get(INCOMPLETE, 0) + 1
                        self.close_connection = True
                        return
                if receiver.mode == "hang":
                    receiver._release_hang.wait(60)
                    return
                if receiver.mode == "429":
                    self._answer(429, {"Retry-After": str(receiver.retry_after)})
                    return
                if receiver.mode == "500":
                    self._answer(500, {})
                    return
                raw = decode_body(body, self.headers.get("Content-Encoding", ""))
                if not receiver.keep_payloads:
                    receiver._count(raw)
                    self._answer(200, {}, b"{}")
                    return
                headers, items = parse_envelope(raw)
                envelope = Envelope(headers, items, raw, self.path, dict(self.headers))
                with receiver._lock:
                    receiver.envelopes.append(envelope)
                self._answer(200, {}, b"{}" + b" " * receiver.answer_padding)

            def _answer(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if receiver.close_after_answer:
                    self.close_connection = True

        self.server = QuietServer(("127.0.0.1", port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        host = "127.0.0.1" if self.port == 80 else f"127.0.0.1:{self.port}"
        return f"{'https' if self.tls else 'http'}://{PUBLIC_KEY}@{host}/{PROJECT_ID}"

    def start(self) -> SentryReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release_hang.set()
        self.server.shutdown()
        self.server.server_close()

    def _count(self, raw: bytes) -> None:
        found: dict[str, int] = {}
        for item in SdkEnvelope.deserialize(raw).items:  # item headers parsed, payloads not
            kind = item.headers.get("type", "?")
            found[kind] = found.get(kind, 0) + 1
        with self._lock:
            for kind, count in found.items():
                self.counts[kind] = self.counts.get(kind, 0) + count

    def take(self) -> dict[str, int]:
        """The items counted by type since the last call (``keep_payloads=False``)."""
        with self._lock:
            counts, self.counts = self.counts, {}
        return counts

    def clear(self) -> None:
        with self._lock:
            self.envelopes.clear()

    # --- what arrived -------------------------------------------------------------------------

    def items(self, item_type: str) -> list[Any]:
        with self._lock:
            envelopes = list(self.envelopes)
        return [
            payload
            for envelope in envelopes
            for headers, payload in envelope.items
            if headers.get("type") == item_type
        ]

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.items("event")

    @property
    def transactions(self) -> list[dict[str, Any]]:
        return self.items("transaction")

    @property
    def logs(self) -> list[dict[str, Any]]:
        return [log for batch in self.items("log") for log in batch.get("items", [])]

    @property
    def raw_bytes(self) -> bytes:
        with self._lock:
            return b"\n".join(envelope.raw for envelope in self.envelopes)

    def wait_for(self, predicate: Callable[[SentryReceiver], Any], timeout: float = 10.0) -> Any:
        """Flush the SDK, then poll until ``predicate(self)`` is truthy."""
        import sentry_sdk

        deadline = time.monotonic() + timeout
        while True:
            sentry_sdk.flush(timeout=2)
            result = predicate(self)
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver did not get what was expected within {timeout}s")
            time.sleep(0.05)


_normalizer: StoreNormalizer | None = None


def relay_errors(event: dict[str, Any]) -> list[Any]:
    """Errors Sentry's own ingestion (relay) would record for ``event``; [] when it is valid."""
    global _normalizer
    if _normalizer is None:
        _normalizer = StoreNormalizer(project_id=PROJECT_ID)
    normalized = _normalizer.normalize_event(event)
    return normalized.get("errors") or []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class HangingServer:
    """Accepts TCP connections and never answers: a Sentry that has stopped responding."""

    sock: socket.socket = field(default_factory=socket.socket)
    connections: list[socket.socket] = field(default_factory=list)

    def start(self) -> HangingServer:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def stop(self) -> None:
        self.sock.close()
        for conn in self.connections:
            conn.close()
