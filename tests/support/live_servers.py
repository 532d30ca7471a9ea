"""Real processes for socket tests: the ASGI app under gunicorn + uvicorn workers (the production
command) and a Celery worker, each on loopback, each stopped by its pid."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from tests.support.sentry_receiver import free_port
from tests.support.servers import ROOT, AppServer, app_environment, run_manage

START_TIMEOUT = 45  # seconds: a loaded two-core machine starts Django slowly


def _wait(process: subprocess.Popen, log_path: Path, ready, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log_path.read_text(errors='replace')}")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start:\n{log_path.read_text(errors='replace')}")


def start_asgi(tmp_path: Path, env: Mapping[str, str]) -> AppServer:
    """``gunicorn toolbox.asgi -k uvicorn_worker.UvicornWorker``, one worker, a free port.

    gunicorn.conf.py (read from the project folder) gives the worker a metrics folder of its own,
    so ``/metrics`` runs in prometheus-client's multiprocess mode as in production."""
    port = free_port()
    log_path = tmp_path / f"asgi-{port}.log"
    command = [
        sys.executable, "-m", "gunicorn", "toolbox.asgi",
        "-k", "uvicorn_worker.UvicornWorker",
        "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--graceful-timeout", "5", "--log-level", "warning",
    ]  # fmt: skip
    environment = app_environment(env)
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    return AppServer(process, port, log_path)


def start_runserver(tmp_path: Path, env: Mapping[str, str]) -> AppServer:
    """``manage.py runserver`` (daphne: HTTP and WebSockets on one port), without autoreload."""
    port = free_port()
    log_path = tmp_path / f"runserver-{port}.log"
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=app_environment(env), stdout=log, stderr=subprocess.STDOUT
        )
    return AppServer(process, port, log_path)


def wait_until_serving(server: AppServer) -> AppServer:
    def answers() -> bool:
        try:
            return server.get("/health").status_code in (200, 503)
        except httpx.TransportError:
            return False

    try:
        _wait(server.process, server.log_path, answers, "the ASGI server")
    except RuntimeError:
        server.stop()
        raise
    return server


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current task
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_worker(tmp_path: Path, env: Mapping[str, str]) -> Worker:
    """``celery -A toolbox worker`` (prefork, one child), ready to take tasks when this returns."""
    name = f"toolbox-test-{time.monotonic_ns()}"
    log_path = tmp_path / f"{name}.log"
    command = [
        sys.executable, "-m", "celery", "-A", "toolbox", "worker", "--hostname", f"{name}@%h",
        "--concurrency", "1", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    # INFO: readiness is read from the worker's "ready." log line.
    environment = app_environment({**env, "LOG_LEVEL": "INFO"})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(process, log_path)
    try:
        _wait(process, log_path, lambda: " ready." in worker.log(), "the Celery worker")
    except RuntimeError:
        worker.stop()
        raise
    return worker


SEED = """
import json
from accounts.models import Classroom, Role
from accounts.services import user_create
teacher = user_create(username="ms-frizzle", password={password!r}, role=Role.TEACHER, email="")
student = user_create(username="arnold", password={password!r}, role=Role.STUDENT, email="")
classroom = Classroom.objects.create(teacher=teacher, name="Bus")
classroom.students.add(student)
print(json.dumps({{"teacher": teacher.pk, "student": student.pk, "classroom": classroom.pk}}))
"""


def seed_classroom(database_url: str, password: str) -> dict[str, int]:
    """A teacher, a student in the teacher's classroom; their ids."""
    output = run_manage(database_url, "shell", "-c", SEED.format(password=password))
    return json.loads(output.strip().splitlines()[-1])


def delete_keys(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
