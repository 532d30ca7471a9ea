"""A recording stand-in for Sentry's REST API on 127.0.0.1.

It serves the endpoints ``manage.py sentry_provision`` and sentry-cli (``manage.py
sentry_release``) call, keeps what was created so later GETs list it (two items a page, with
Sentry's ``Link`` cursor header, so pagination is exercised), records every request, and accepts a
POST/PUT only when its body validates against the schema excerpt vendored next to this file
(``sentry_api_schema.json``, from Sentry's published OpenAPI schema; see its ``$comment``).
A rejected body is answered 400 and kept in ``rejected``.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema

SCHEMA_PATH = Path(__file__).with_name("sentry_api_schema.json")
PAGE_SIZE = 2


def _load_validators() -> dict[tuple[str, re.Pattern[str]], jsonschema.Draft7Validator]:
    document = json.loads(SCHEMA_PATH.read_text())
    validators = {}
    for key, entry in document["endpoints"].items():
        method, template = key.split(" ", 1)
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
        validators[(method, re.compile(pattern + "$"))] = jsonschema.Draft7Validator(
            entry["schema"]
        )
    return validators


VALIDATORS = _load_validators()


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    status: int = 0


class SentryApiServer:
    def __init__(self, *, token: str, org: str, project: str, project_id: int = 4242) -> None:
        self.token = token
        self.org = org
        self.project_slug = project
        self.mode = "ok"  # or "401"
        self.requests: list[Recorded] = []
        self.rejected: list[tuple[str, str, list[str]]] = []
        self.project: dict[str, Any] = {
            "id": str(project_id),
            "slug": project,
            "name": project,
            "fingerprintingRules": "",
        }
        self.alert_rules: dict[str, dict[str, Any]] = {}
        self.issue_rules: dict[str, dict[str, Any]] = {}
        self.dashboards: dict[str, dict[str, Any]] = {}
        self.releases: dict[str, dict[str, Any]] = {}
        self.deploys: list[dict[str, Any]] = []
        self._ids = 100
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                record = Recorded(method, self.path, body, dict(self.headers))
                with server._lock:
                    server.requests.append(record)
                    status, payload, headers = server._route(method, self.path, body, self.headers)
                record.status = status
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> SentryApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what was asked ----------------------------------------------------------------------

    @property
    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    def clear(self) -> None:
        self.requests.clear()

    # --- routing -----------------------------------------------------------------------------

    def _next_id(self) -> str:
        self._ids += 1
        return str(self._ids)

    def _page(self, path: str, items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(path)
        cursor = int(parse_qs(parts.query).get("cursor", ["0"])[0])
        page = items[cursor : cursor + PAGE_SIZE]
        more = cursor + PAGE_SIZE < len(items)
        base = self.url.rstrip("/") + parts.path
        link = (
            f'<{base}?cursor={cursor + PAGE_SIZE}>; rel="next"; '
            f'results="{"true" if more else "false"}"; cursor="{cursor + PAGE_SIZE}"'
        )
        return 200, page, {"Link": link}

    def _route(
        self, method: str, path: str, body: Any, headers: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if self.mode == "401" or headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"detail": "Invalid token"}, {}
        clean = unquote(urlsplit(path).path)
        if method in ("POST", "PUT"):
            errors = self._validate(method, clean, body)
            if errors:
                self.rejected.append((method, clean, errors))
                return 400, {"detail": errors}, {}
        org, project = re.escape(self.org), re.escape(self.project_slug)
        routes = [
            (rf"/api/0/projects/{org}/{project}/", self._project),
            (rf"/api/0/organizations/{org}/alert-rules/(?:(\d+)/)?", self._alert_rules),
            (rf"/api/0/projects/{org}/{project}/rules/(?:(\d+)/)?", self._issue_rules),
            (rf"/api/0/organizations/{org}/dashboards/(?:(\d+)/)?", self._dashboards),
            (rf"/api/0/organizations/{org}/releases/([^/]+)/deploys/", self._deploys),
            (rf"/api/0/organizations/{org}/releases/(?:([^/]+)/)?", self._releases),
            (rf"/api/0/projects/{org}/{project}/releases/(?:([^/]+)/)?", self._releases),
            (rf"/api/0/organizations/{org}/repos/", self._repos),
        ]
        for pattern, handler in routes:
            match = re.fullmatch(pattern, clean)
            if match:
                return handler(method, path, body, *match.groups())
        return 404, {"detail": f"not served by the test server: {method} {clean}"}, {}

    def _validate(self, method: str, path: str, body: Any) -> list[str]:
        for (schema_method, pattern), validator in VALIDATORS.items():
            if schema_method == method and pattern.fullmatch(path):
                return [
                    f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                    for e in validator.iter_errors(body)
                ]
        return [f"no published schema for {method} {path} in the vendored excerpt"]

    def _project(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if method == "PUT":
            self.project.update(body)
        return 200, self.project, {}

    def _collection(
        self,
        store: dict[str, dict[str, Any]],
        method: str,
        path: str,
        body: Any,
        item_id: str | None,
        *,
        listed: Any = None,
    ) -> tuple[int, Any, dict[str, str]]:
        if item_id is None and method == "GET":
            items = list(store.values())
            return self._page(path, [listed(i) for i in items] if listed else items)
        if item_id is None and method == "POST":
            item_id = self._next_id()
            store[item_id] = self._as_sentry_returns({**body, "id": item_id})
            return 201, store[item_id], {}
        if item_id not in store:
            return 404, {"detail": "The requested resource does not exist"}, {}
        if method == "PUT":
            store[item_id] = self._as_sentry_returns({**body, "id": item_id})
        return 200, store[item_id], {}

    @staticmethod
    def _as_sentry_returns(item: dict[str, Any]) -> dict[str, Any]:
        """Sentry answers with more than it was sent (ids, defaults) and numbers as floats."""
        item = json.loads(json.dumps(item))
        if "timeWindow" in item:
            item["timeWindow"] = float(item["timeWindow"])
        for index, trigger in enumerate(item.get("triggers", [])):
            trigger.setdefault("id", str(index + 1))
            trigger["alertThreshold"] = float(trigger["alertThreshold"])
        for index, widget in enumerate(item.get("widgets", [])):
            widget.setdefault("id", str(index + 1))
            for query in widget.get("queries", []):
                query.setdefault("id", str(index + 1))
                query.setdefault("fieldAliases", [])
        item.setdefault("dateCreated", "2026-01-01T00:00:00Z")
        return item

    def _alert_rules(self, method, path, body, item_id):
        return self._collection(self.alert_rules, method, path, body, item_id)

    def _issue_rules(self, method, path, body, item_id):
        return self._collection(self.issue_rules, method, path, body, item_id)

    def _dashboards(self, method, path, body, item_id):
        return self._collection(
            self.dashboards,
            method,
            path,
            body,
            item_id,
            listed=lambda d: {"id": d["id"], "title": d["title"], "dateCreated": d["dateCreated"]},
        )

    def _releases(self, method, path, body, version):
        if version is None and method == "POST":
            release = self.releases.setdefault(body["version"], {"version": body["version"]})
            release.update(body)
            return 201, self._release_view(release), {}
        if version is None:
            return self._page(path, [self._release_view(r) for r in self.releases.values()])
        if version not in self.releases:
            return 404, {"detail": "The requested resource does not exist"}, {}
        if method == "PUT":
            self.releases[version].update(body)
        return 200, self._release_view(self.releases[version]), {}

    def _release_view(self, release: dict[str, Any]) -> dict[str, Any]:
        """A release as Sentry answers it (projects as objects, dates, counters)."""
        return {
            "version": release["version"],
            "shortVersion": release["version"],
            "url": release.get("url"),
            "ref": release.get("ref"),
            "dateCreated": "2026-01-01T00:00:00Z",
            "dateReleased": release.get("dateReleased"),
            "lastEvent": None,
            "newGroups": 0,
            "commitCount": len(release.get("commits") or []),
            "projects": [
                {"slug": slug, "name": slug, "platform": "python", "platforms": ["python"]}
                for slug in release.get("projects", [])
            ],
        }

    def _repos(self, method, path, body):
        """No repository integration: sentry-cli's ``set-commits --local`` then sends none."""
        return self._page(path, [])

    def _deploys(self, method, path, body, version):
        if method == "POST":
            deploy = {**body, "id": self._next_id(), "version": version}
            self.deploys.append(deploy)
            return 201, deploy, {}
        return 200, [d for d in self.deploys if d["version"] == version], {}
