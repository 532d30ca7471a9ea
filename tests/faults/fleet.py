"""Several gunicorn servers of the app, identical but for the Sentry they report to, measured side
by side: the same requests go to each in turn (in a shuffled order every round), so machine noise
hits them all alike and their latencies can be compared.
"""

from __future__ import annotations

import concurrent.futures
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.faults.support import TEACHER, TEACHER_PASSWORD
from tests.support.servers import AppServer, start_gunicorn


@dataclass
class Target:
    name: str
    server: AppServer
    client: httpx.Client
    token: str = ""
    latencies: list[float] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def metrics(self) -> dict:
        return self.client.get("/metrics").json()

    def prometheus_text(self) -> str:
        return self.client.get("/metrics", headers={"Accept": "text/plain"}).text


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def mix(target: Target, round_number: int) -> list[tuple[str, int, Callable[[], httpx.Response]]]:
    """One round of the request mix: a probe of Sentry's status, a quiz generated and stored, a
    list read from the database, and an error captured (``/sentry-debug`` answers 500 on
    purpose in development). Each is ``(kind, expected status, send)``."""
    client = target.client
    quiz = {"subject": "mathematics", "grade_level": 5, "question_count": 5, "seed": round_number}
    return [
        ("status", 200, lambda: client.get("/sentry/status")),
        (
            "generate",
            201,
            lambda: client.post("/api/v1/quizzes/generate", json=quiz, headers=target.auth),
        ),
        (
            "list",
            200,
            lambda: client.get("/api/v1/quizzes", params={"limit": 5}, headers=target.auth),
        ),
        ("error", 500, lambda: client.get("/sentry-debug")),
    ]


class Fleet:
    def __init__(self, tmp_path: Path, database_url: str, dsns: Mapping[str, str]) -> None:
        base_env = {
            "DATABASE_URL": database_url,
            "LOG_FILE": "",
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",  # an envelope for every request
            "SENTRY_PROFILES_SAMPLE_RATE": "0",
        }

        def start(item: tuple[str, str]) -> Target:
            name, dsn = item
            server = start_gunicorn(tmp_path, {**base_env, "SENTRY_DSN": dsn})
            return Target(name, server, httpx.Client(base_url=server.url, timeout=30))

        with concurrent.futures.ThreadPoolExecutor(max_workers=len(dsns)) as pool:
            self.targets = {t.name: t for t in pool.map(start, dsns.items())}
        for target in self.targets.values():
            response = target.client.post(
                "/api/v1/auth/login", json={"username": TEACHER, "password": TEACHER_PASSWORD}
            )
            assert response.status_code == 200, response.text
            target.token = response.json()["access"]

    def run(self, rounds: int, *, record: bool = True, seed: int = 7) -> None:
        # The client's own request log lines would cost more than some requests.
        httpx_logger = logging.getLogger("httpx")
        level = httpx_logger.level
        httpx_logger.setLevel(logging.WARNING)
        try:
            self._run(rounds, record, random.Random(seed))
        finally:
            httpx_logger.setLevel(level)

    def _run(self, rounds: int, record: bool, shuffle: random.Random) -> None:
        order = list(self.targets.values())
        for round_number in range(rounds):
            shuffle.shuffle(order)
            for target in order:
                for kind, expected, send in mix(target, round_number):
                    started = time.perf_counter()
                    try:
                        status = send().status_code
                    except httpx.HTTPError as exc:
                        status = type(exc).__name__
                    if record:
                        target.latencies.append(time.perf_counter() - started)
                    if status != expected:
                        target.unexpected.append(f"{kind}: {status}")

    def measure(self, rounds: int) -> dict[str, float]:
        """Run ``rounds`` more rounds; the p99 of each target's request times so far."""
        self.run(rounds)
        return {name: p99(target.latencies) for name, target in self.targets.items()}

    def stop(self) -> None:
        for target in self.targets.values():
            target.client.close()
            target.server.stop()
