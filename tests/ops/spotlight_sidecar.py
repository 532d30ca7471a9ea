"""A stand-in for the Spotlight sidecar on 127.0.0.1: accepts ``POST /stream`` envelopes."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.sentry_receiver import decode_body, parse_envelope


class SpotlightSidecar:
    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.items: list[tuple[dict[str, Any], Any]] = []
        self.paths: list[str] = []
        self.received = threading.Event()
        sidecar = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                raw = decode_body(body, self.headers.get("Content-Encoding", ""))
                _, items = parse_envelope(raw)
                sidecar.paths.append(self.path)
                sidecar.raw.append(raw)
                sidecar.items.extend(items)
                sidecar.received.set()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/stream"

    def start(self) -> SpotlightSidecar:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict[str, Any]]:
        return [payload for headers, payload in self.items if headers.get("type") == "event"]
