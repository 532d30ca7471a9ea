"""Start the real app in a subprocess (gunicorn) on a free loopback port, and stop it by pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.sentry_receiver import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class AppServer:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, timeout=10, **kwargs)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 10) -> float:
        """SIGTERM the server; returns how long it took to exit."""
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.monotonic() - started


def app_environment(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DJANGO_"))}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "toolbox.settings", "SENTRY_DSN": "", "PYTHONUNBUFFERED": "1"}
    )
    env.update(extra)
    return env


def start_gunicorn(
    tmp_path: Path,
    env: Mapping[str, str],
    *,
    workers: int = 1,
    threads: int = 1,
    wait_path: str = "/sentry/status",
) -> AppServer:
    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    command = [
        sys.executable, "-m", "gunicorn", "toolbox.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", str(threads), "--graceful-timeout", "5", "--log-level", "warning",
    ]  # fmt: skip
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env=app_environment(env), stdout=log, stderr=subprocess.STDOUT
    )
    server = AppServer(process, port, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log()}")
        try:
            server.get(wait_path)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not start:\n{server.log()}")


def load_settings(**environ: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh process with ``environ`` (how startup validation shows)."""
    return run_python("import toolbox.settings", **environ)


def in_another_worker(directory, code: str) -> str:
    """Run ``code`` in a process of its own (a gunicorn worker's view of the multiprocess
    files in ``directory``); its standard output. Nothing of it touches this process's metrics."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "DJANGO_SETTINGS_MODULE": "toolbox.settings",
        "SENTRY_DSN": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    )
    return result.stdout


def run_python(code: str, **environ: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh process of the app's environment plus ``environ``."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=app_environment(environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_manage(database_url: str, *args: str, extra_env: Mapping[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=app_environment({"DATABASE_URL": database_url, "LOG_FILE": "", **(extra_env or {})}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class ServerDatabase:
    """A migrated database of its own for app servers started in a subprocess.

    PostgreSQL when the tests run against it (a fresh database on the same server), else a
    SQLite file. The test database of pytest-django is not visible to other processes.
    """

    def __init__(self, tmp_path: Path, test_database: dict) -> None:
        self.postgres = test_database["ENGINE"] == "django.db.backends.postgresql"
        if self.postgres:
            self.name = f"toolbox_server_{os.getpid()}_{free_port()}"
            self._admin_dsn = (
                f"host={test_database['HOST'] or '127.0.0.1'} port={test_database['PORT'] or 5432} "
                f"user={test_database['USER']} dbname=postgres"
            )
            if test_database.get("PASSWORD"):
                self._admin_dsn += f" password={test_database['PASSWORD']}"
            self._execute(f'CREATE DATABASE "{self.name}"')
            auth = test_database["USER"]
            if test_database.get("PASSWORD"):
                auth += f":{test_database['PASSWORD']}"
            host = test_database["HOST"] or "127.0.0.1"
            self.url = f"postgres://{auth}@{host}:{test_database['PORT'] or 5432}/{self.name}"
        else:
            self.url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
        run_manage(self.url, "migrate", "--noinput", "-v0")

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_dsn, autocommit=True) as connection:
            connection.execute(sql)

    def drop(self) -> None:
        if self.postgres:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
