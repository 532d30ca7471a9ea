"""A loopback Roblox Open Cloud: the Assets API and the Luau execution API, as documented.

Every request is checked against Roblox's published OpenAPI descriptions
(``openapi_excerpt.json``, made strict: a property the schema does not define is an error), and
so is every answer it gives. Behaviour, as documented by Roblox:

* ``x-api-key`` unknown or missing: 401 ``UNAUTHENTICATED``; a known key without the scope the
  operation lists (``x-roblox-scopes``): 403 ``PERMISSION_DENIED``. The 401 message echoes the key
  it was given, so that tests prove the app masks what Roblox says;
* ``x-ratelimit-limit``/``-remaining``/``-reset`` on every answer;
* a created asset is a long-running ``Operation``: ``done`` only after ``operation_polls`` polls;
  a Luau task is ``QUEUED``, then ``PROCESSING`` until ``task_polls`` polls, then ``COMPLETE`` (or
  ``FAILED`` with ``SCRIPT_ERROR`` when the script calls ``error(``), and its logs hold one line
  per ``print(`` of the script.

``inject(operation, status, headers=..., body=..., times=1)`` makes the next calls of an
operation answer that instead (429 with ``x-ratelimit-reset``, 5xx...).
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import json
import re
import threading
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema

EXCERPT = json.loads((Path(__file__).parent / "openapi_excerpt.json").read_text())

ASSET_SCOPES = {"asset:read", "asset:write"}
LUAU_WRITE = "universe.place.luau-execution-session:write"
LUAU_READ = "universe.place.luau-execution-session:read"
ALL_SCOPES = ASSET_SCOPES | {LUAU_WRITE, LUAU_READ}

TASK = (
    r"/cloud/v2/universes/(?P<u>\d+)/places/(?P<p>\d+)/versions/(?P<v>\d+)"
    r"/luau-execution-sessions/(?P<s>[\w-]+)/tasks/(?P<t>[\w-]+)"
)
ROUTES = [
    ("POST", re.compile(r"/assets/v1/assets"), "assets.create", "/assets/v1/assets"),
    (
        "GET",
        re.compile(r"/assets/v1/operations/(?P<id>[\w-]+)"),
        "assets.operation",
        "/assets/v1/operations/{operationId}",
    ),
    (
        "POST",
        re.compile(
            r"/cloud/v2/universes/(?P<u>\d+)/places/(?P<p>\d+)/luau-execution-session-tasks"
        ),
        "luau.create_task",
        "/cloud/v2/universes/{universe_id}/places/{place_id}/luau-execution-session-tasks",
    ),
    (
        "GET",
        re.compile(TASK),
        "luau.get_task",
        "/cloud/v2/universes/{universe_id}/places/{place_id}/versions/{version_id}"
        "/luau-execution-sessions/{luau_execution_session_id}/tasks/{task_id}",
    ),
    (
        "GET",
        re.compile(TASK + "/logs"),
        "luau.list_logs",
        "/cloud/v2/universes/{universe_id}/places/{place_id}/versions/{version_id}"
        "/luau-execution-sessions/{luau_execution_session_id}/tasks/{task_id}/logs",
    ),
]


def _strict(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` on every object that lists properties.

    Roblox's descriptions mark some properties ``"required": true`` (OpenAPI 2 style), which JSON
    Schema reads as a list of names: those are dropped (the checks below enforce them)."""
    if isinstance(schema, dict):
        out = {
            key: _strict(value)
            for key, value in schema.items()
            if not (key == "required" and isinstance(value, bool))
        }
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


_STRICT_COMPONENTS = _strict(EXCERPT["components"])


def schema_errors(instance: Any, ref: str) -> list[str]:
    """Why ``instance`` does not match ``#/components/schemas/<ref>`` (strictly)."""
    schema = {"$ref": f"#/components/schemas/{ref}", "components": _STRICT_COMPONENTS}
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{ref}: {error.message}" for error in validator.iter_errors(instance)]


def _scopes(method: str, template: str) -> set[str]:
    operation = EXCERPT["paths"][template][method.lower()]
    return {scope["name"] for scope in operation.get("x-roblox-scopes", [])}


@dataclass
class Injected:
    status: int
    headers: dict[str, str]
    body: Any
    times: int


@dataclass
class Recorded:
    operation: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeRoblox:
    keys: dict[str, set[str]] = field(default_factory=dict)
    operation_polls: int = 0
    task_polls: int = 0
    rate_limit_remaining: int = 100
    rate_limit_reset: int = 60
    requests: list[Recorded] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    _injected: dict[str, list[Injected]] = field(default_factory=dict)
    _operations: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- test API ---

    def start(self) -> FakeRoblox:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def inject(
        self,
        operation: str,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        with self._lock:
            self._injected.setdefault(operation, []).append(
                Injected(status, headers or {}, body, times)
            )

    def calls(self, operation: str) -> list[Recorded]:
        return [request for request in self.requests if request.operation == operation]

    # --- the server ---

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in handler.headers.items()}
        route = next(
            (
                (operation, template, match)
                for route_method, pattern, operation, template in ROUTES
                if route_method == method and (match := pattern.fullmatch(url.path))
            ),
            None,
        )
        if route is None:
            return self._answer(handler, 404, {"code": "NOT_FOUND", "message": "no such route"})
        operation, template, match = route
        with self._lock:
            self.requests.append(Recorded(operation, method, handler.path, headers, body))
            injected = self._injected.get(operation)
            if injected:
                first = injected[0]
                first.times -= 1
                if first.times <= 0:
                    injected.pop(0)
                return self._answer(handler, first.status, first.body, first.headers)
        key = headers.get("x-api-key")
        if key not in self.keys:
            return self._answer(
                handler, 401, {"code": "UNAUTHENTICATED", "message": f"Invalid API Key {key}"}
            )
        missing = _scopes(method, template) - self.keys[key]
        if missing:
            return self._answer(
                handler,
                403,
                {
                    "code": "PERMISSION_DENIED",
                    "message": f"Insufficient scope: {', '.join(sorted(missing))}",
                },
            )
        status, answer, ref = getattr(self, "_" + operation.replace(".", "_"))(
            match, headers, body, parse_qs(url.query)
        )
        if ref and status == 200:
            self.violations += [f"answer {e}" for e in schema_errors(answer, ref)]
        return self._answer(handler, status, answer)

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(data)))
        handler.send_header("x-ratelimit-limit", "100")
        handler.send_header("x-ratelimit-remaining", str(self.rate_limit_remaining))
        handler.send_header("x-ratelimit-reset", str(self.rate_limit_reset))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _bad(self, problems: list[str]) -> tuple[int, Any, None]:
        self.violations += problems
        return 400, {"code": 3, "message": "; ".join(problems)[:300]}, None

    # --- Assets API ---

    def _assets_create(self, match, headers, body, query):
        content_type = headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return self._bad([f"assets.create: content type {content_type!r}"])
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        parts = {part.get_param("name", header="content-disposition"): part for part in
                 message.iter_parts()}  # fmt: skip
        if set(parts) != {"request", "fileContent"}:
            return self._bad([f"assets.create: form fields {sorted(parts)}"])
        try:
            request = json.loads(parts["request"].get_content())
        except ValueError:
            return self._bad(["assets.create: request is not JSON"])
        problems = schema_errors(request, "Asset")
        for required in ("assetType", "displayName", "description", "creationContext"):
            if required not in request:
                problems.append(f"Asset: {required} is required for Create Asset")
        creator = request.get("creationContext", {}).get("creator", {})
        if len(creator) != 1:
            problems.append("Creator: exactly one of userId and groupId")
        file_part = parts["fileContent"]
        if file_part.get_content_type() != "model/x-rbxmx" or not file_part.get_filename():
            problems.append(f"fileContent: {file_part.get_content_type()}")
        try:
            model = ElementTree.fromstring(file_part.get_payload(decode=True))
            source = model.find("./Item[@class='Script']/Properties/ProtectedString")
            if source is None or not source.text:
                problems.append("fileContent: no Script with a Source")
        except ElementTree.ParseError as exc:
            problems.append(f"fileContent: not XML ({exc})")
        if problems:
            return self._bad(problems)
        operation_id = uuid.uuid4().hex
        asset_id = 9_000_000_000 + len(self._operations)
        with self._lock:
            self._operations[operation_id] = {"polls": 0, "asset_id": asset_id, "asset": request}
        return 200, self._operation(operation_id), "Operation"

    def _operation(self, operation_id: str) -> dict[str, Any]:
        state = self._operations[operation_id]
        answer: dict[str, Any] = {"path": f"operations/{operation_id}", "done": False}
        if state["polls"] >= self.operation_polls:
            answer["done"] = True
            asset = copy.deepcopy(state["asset"])
            asset.pop("creationContext", None)
            answer["response"] = {
                **asset,
                "assetId": state["asset_id"],
                "path": f"assets/{state['asset_id']}",
                "revisionId": "1",
                "moderationResult": {"moderationState": "Approved"},
                "state": "Active",
            }
        return answer

    def _assets_operation(self, match, headers, body, query):
        operation_id = match.group("id")
        with self._lock:
            if operation_id not in self._operations:
                return 404, {"code": 5, "message": "Operation not found"}, None
            self._operations[operation_id]["polls"] += 1
            return 200, self._operation(operation_id), "Operation"

    # --- Luau execution API ---

    def _luau_create_task(self, match, headers, body, query):
        if not headers.get("content-type", "").startswith("application/json"):
            return self._bad(["luau.create_task: not JSON"])
        try:
            task = json.loads(body)
        except ValueError:
            return self._bad(["luau.create_task: body is not JSON"])
        problems = schema_errors(task, "LuauExecutionSessionTask")
        if not isinstance(task.get("script"), str) or not task["script"]:
            problems.append("LuauExecutionSessionTask: script is required")
        if problems:
            return self._bad(problems)
        path = (
            f"universes/{match.group('u')}/places/{match.group('p')}/versions/7/"
            f"luau-execution-sessions/{uuid.uuid4()}/tasks/{uuid.uuid4()}"
        )
        with self._lock:
            self._tasks[path] = {"polls": 0, "script": task["script"]}
        return 200, self._task(path), "LuauExecutionSessionTask"

    def _task(self, path: str) -> dict[str, Any]:
        state = self._tasks[path]
        answer: dict[str, Any] = {
            "path": path,
            "createTime": "2025-01-01T00:00:00Z",
            "updateTime": "2025-01-01T00:00:01Z",
            "user": "42",
            "state": "QUEUED" if state["polls"] == 0 else "PROCESSING",
        }
        if state["polls"] >= max(self.task_polls, 1):
            if "error(" in state["script"]:
                answer["state"] = "FAILED"
                answer["error"] = {"code": "SCRIPT_ERROR", "message": "Script:1: boom"}
            else:
                answer["state"] = "COMPLETE"
                answer["output"] = {"results": [len(state["script"]), "ok"]}
        return answer

    def _task_path(self, match) -> str:
        return "/".join(
            [
                f"universes/{match.group('u')}/places/{match.group('p')}",
                f"versions/{match.group('v')}/luau-execution-sessions/{match.group('s')}",
                f"tasks/{match.group('t')}",
            ]
        )

    def _luau_get_task(self, match, headers, body, query):
        path = self._task_path(match)
        with self._lock:
            if path not in self._tasks:
                return 404, {"code": "NOT_FOUND", "message": "Task not found"}, None
            self._tasks[path]["polls"] += 1
            return 200, self._task(path), "LuauExecutionSessionTask"

    def _luau_list_logs(self, match, headers, body, query):
        path = self._task_path(match)
        if path not in self._tasks:
            return 404, {"code": "NOT_FOUND", "message": "Task not found"}, None
        printed = re.findall(r'print\("([^"]*)"\)', self._tasks[path]["script"])
        return (
            200,
            {"luauExecutionSessionTaskLogs": [{"path": f"{path}/logs/1", "messages": printed}]},
            "ListLuauExecutionSessionTaskLogsResponse",
        )
