"""A real OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

``POST /v1/chat/completions`` answers like the real API: a ``chat.completion`` object with
``usage``, whose message content is JSON matching the ``response_format`` JSON schema the client
sent (a lesson, or exactly ``minItems`` quiz questions). It can misbehave the ways a real
provider does, chosen by ``mode`` (changeable while it runs):

``ok``         a valid answer at once
``slow``       a valid answer after ``delay`` seconds
``error``      HTTP 500 with an OpenAI-style error body
``malformed``  HTTP 200 whose message content is not JSON
``invalid``    HTTP 200 whose content is JSON that does not match the schema
``hang``       accepts the request and never answers (until the server stops): a timeout

Every request is recorded (path, headers, parsed body) for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("ok", "slow", "error", "malformed", "invalid", "hang")
USAGE = {"prompt_tokens": 321, "completion_tokens": 654, "total_tokens": 975}
LLM_TITLE_PREFIX = "LLM lesson:"
LLM_PROMPT_PREFIX = "LLM question"


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def lesson_answer() -> dict[str, Any]:
    return {
        "title": f"{LLM_TITLE_PREFIX} the water cycle",
        "summary": "Water moves between the sea, the air and the land.",
        "sections": [
            {"heading": "Introduction", "body": "Where does rain come from?"},
            {"heading": "Evaporation", "body": "The sun warms water and it rises as vapour."},
            {"heading": "Wrap-up", "body": "Evaporation, condensation, precipitation."},
        ],
        "vocabulary": [
            {"term": "evaporation", "definition": "Liquid water turning into vapour."},
            {"term": "condensation", "definition": "Vapour cooling into droplets."},
        ],
        "activities": [
            {
                "title": "Cloud in a jar",
                "instructions": "Use warm water, ice and a jar to make a cloud.",
                "duration_minutes": 15,
            }
        ],
        "assessment": [{"question": "What makes water evaporate?", "answer": "Heat from the sun."}],
        "estimated_duration_minutes": 45,
    }


def quiz_answer(count: int) -> dict[str, Any]:
    return {
        "questions": [
            {
                "prompt": f"{LLM_PROMPT_PREFIX} {number}: which option is number {number % 4}?",
                "options": [f"Option {number}-{letter}" for letter in "ABCD"],
                "correct_index": number % 4,
                "explanation": f"Option {number % 4} is the one that was asked for.",
                "topic": "Fake Topic",
            }
            for number in range(count)
        ]
    }


def answer_for(body: dict[str, Any]) -> dict[str, Any]:
    """Valid content for the JSON schema the client asked for."""
    schema = body["response_format"]["json_schema"]["schema"]
    questions = schema.get("properties", {}).get("questions")
    if questions is not None:
        return quiz_answer(questions["minItems"])
    return lesson_answer()


def invalid_answer_for(body: dict[str, Any]) -> dict[str, Any]:
    """JSON that breaks the schema: a question with three options and an impossible answer."""
    answer = answer_for(body)
    if "questions" in answer:
        answer["questions"][0]["options"] = answer["questions"][0]["options"][:3]
        answer["questions"][0]["correct_index"] = 7
    else:
        del answer["sections"]
    return answer


def completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake123",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": dict(USAGE),
        "system_fingerprint": "fp_fake",
    }


class FakeOpenAI:
    def __init__(self, mode: str = "ok", delay: float = 0.0) -> None:
        self.mode = mode
        self.delay = delay
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                body = json.loads(raw or b"{}")
                with fake._lock:
                    fake.requests.append(
                        RecordedRequest(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body
                        )
                    )
                    mode = fake.mode
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "Not found", "type": "invalid_request"}})
                    return
                if mode == "hang":
                    fake._stopping.wait(30)
                    return
                if mode == "slow":
                    time.sleep(fake.delay)
                if mode == "error":
                    self._json(
                        500,
                        {"error": {"message": "The server had an error", "type": "server_error"}},
                    )
                elif mode == "malformed":
                    self._json(200, completion(body, "Sure! Here is your lesson: {not json"))
                elif mode == "invalid":
                    self._json(200, completion(body, json.dumps(invalid_answer_for(body))))
                else:
                    self._json(200, completion(body, json.dumps(answer_for(body))))

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        # A short poll interval: stopping the server is then nearly instant.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def calls(self) -> int:
        with self._lock:
            return len(self.requests)

    def set_mode(self, mode: str, delay: float | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            self.mode = mode
            if delay is not None:
                self.delay = delay

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def fake_openai(mode: str = "ok", delay: float = 0.0) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(mode, delay).start()
    try:
        yield server
    finally:
        server.stop()
