"""What the server benchmarks share: the machine, a migrated database with a user, gunicorn
servers on loopback, wrk runs and the CPU time of worker processes.

Every address used is 127.0.0.1: the app, the Sentry receiver, the load generator's target.
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the apps live in the root

from tests.support.sentry_receiver import SentryReceiver, free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results"
# Where the servers run from: this tree, or (``--app-root``) a copy of it, e.g. a clean export of
# a commit while the working tree is being edited.
APP_ROOT = ROOT
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SECRET_KEY = "bench-only-secret-key-not-used-anywhere-else-0123456789"
MONITORING_TOKEN = "bench-monitoring-token-0123456789"
PACKAGES = ("django", "django-ninja", "sentry-sdk", "gunicorn", "structlog", "prometheus-client")


# --- the machine ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].split(" [")[0] if first else "unknown"


def machine() -> dict[str, str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return {
        "cpu": cpu_model(),
        "cores": f"{os.cpu_count()} logical ({usable} usable)",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(versions),
        "load generator": wrk_version(),
        "os": platform.platform(),
    }


def machine_markdown(info: Mapping[str, str]) -> list[str]:
    return [f"- {key.capitalize()}: {value}" for key, value in info.items()]


# --- the database ---------------------------------------------------------------------------


def base_environment(database_url: str, log_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off, 0.1 default rates) on loopback, profiling off, logs on."""
    return {
        "DATABASE_URL": database_url,
        "SENTRY_ENVIRONMENT": "production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MONITORING_TOKEN": MONITORING_TOKEN,
        "JWT_ACCESS_TTL_SECONDS": str(24 * 3600),
        "SENTRY_PROFILES_SAMPLE_RATE": "0",
        "SENTRY_ENABLE_LOGS": "true",
        "LOG_FILE": str(log_dir / "toolbox.jsonl"),
        "LOG_LEVEL": "INFO",
        "OPENAI_API_KEY": "",
        "REDIS_URL": "",
    }


def app_environment(extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SENTRY_", "DJANGO_", "PROMETHEUS_", "GUNICORN_", "WEB_CONCURRENCY"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "toolbox.settings", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


def manage(env: Mapping[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=APP_ROOT,
        env=app_environment({**env, "LOG_FILE": ""}),
        capture_output=True,
        text=True,
        timeout=180,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_database(work: Path, database_url: str | None) -> str:
    """A migrated database with the teacher ``bench-teacher``; SQLite in ``work`` by default."""
    url = database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    manage(env, "migrate", "--noinput", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from accounts.models import User\n"
        "from accounts.services import user_create\n"
        "User.objects.filter(username__in=['bench-teacher', 'bench-student']).delete()\n"
        "teacher = user_create(username='bench-teacher', password='bench-maple-kite-42', "
        "role='teacher')\n"
        "student = user_create(username='bench-student', password='bench-maple-kite-42', "
        "role='student')\n"
        "from accounts.services import classroom_create\n"
        "classroom_create(teacher=teacher, name='Bench class').students.add(student)",
    )
    return url


def access_token(base_url: str, username: str = "bench-teacher") -> str:
    import httpx

    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": username, "password": "bench-maple-kite-42"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["access"]


def seed_lessons(base_url: str, token: str, *, count: int) -> list[int]:
    """``count`` offline lessons by the bench teacher (what a list endpoint then reads),
    published to the bench class (what its student reads); their ids."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    classroom_id = httpx.get(f"{base_url}/api/v1/classrooms", headers=headers).json()[0]["id"]
    ids = []
    for seed in range(count):
        response = httpx.post(
            f"{base_url}/api/v1/content/generate",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "subject": "science",
                "grade_level": 7,
                "learning_objectives": ["Describe the water cycle", "Explain evaporation"],
                "content_type": "lesson",
                "complexity": "basic",
                "seed": seed,
            },
            timeout=30,
        )
        if response.status_code != 201:
            raise RuntimeError(
                f"lesson generation answered {response.status_code}: {response.text}"
            )
        ids.append(response.json()["id"])
        httpx.post(
            f"{base_url}/api/v1/content/{ids[-1]}/publish",
            headers=headers,
            json={"classroom_id": classroom_id},
            timeout=30,
        ).raise_for_status()
    return ids


# --- gunicorn ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master process."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # The master did not stop in time: take its session (workers included) down.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        _running.discard(self)


# Servers run in sessions of their own (a Ctrl-C in the terminal must not reach them mid-run),
# so nothing stops them but us: every started server is stopped when the bench exits, whether it
# returns, raises, is interrupted (SIGINT) or is told to stop (SIGTERM, SIGHUP).
_running: set[Server] = set()


def stop_all_servers() -> None:
    for server in list(_running):
        server.stop()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds: ``finally`` blocks and atexit stop the servers


def _stop_servers_on_exit() -> None:
    atexit.register(stop_all_servers)
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) in (signal.SIG_DFL, None):
                signal.signal(signum, _exit_on_signal)


_stop_servers_on_exit()


def start_server(
    name: str,
    work: Path,
    env: Mapping[str, str],
    *,
    app: str = "toolbox.wsgi",
    workers: int = 2,
    app_root: Path | None = None,
    worker_class: str = "sync",
) -> Server:
    port = free_port()
    metrics_dir = work / f"metrics-{name}"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    log_path = work / f"gunicorn-{name}.log"
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", worker_class,
        "--graceful-timeout", "5", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=app_root or APP_ROOT,
        env=app_environment({**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}),
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(name, process, port, log_path)
    _running.add(server)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {name} exited early:\n{log_path.read_text()}")
        try:
            httpx.get(server.url + "/health", timeout=5)
            if len(server.worker_pids()) == workers:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn {name} did not start:\n{log_path.read_text()}")


# --- CPU and memory of processes ----------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of ``pids`` (all their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return total / CLOCK_TICKS


def connections_per_worker(pids: list[int], port: int) -> list[int]:
    """How many established TCP connections on ``port`` each of ``pids`` holds (its sockets,
    from ``/proc/<pid>/fd``, found among ``/proc/net/tcp``'s connections in state 01)."""
    held: list[set[str]] = []
    for pid in pids:
        sockets = set()
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            fds = []
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                sockets.add(target[8:-1])
        held.append(sockets)
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                established.add(fields[9])
    return [len(sockets & established) for sockets in held]


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from ``/proc/stat``."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def own_seconds() -> float:
    """CPU time of this process and its finished children (wrk)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# --- output --------------------------------------------------------------------------------------


def use_app_root(path: str | None) -> None:
    global APP_ROOT
    if path:
        APP_ROOT = Path(path).resolve()
        if not (APP_ROOT / "manage.py").is_file():
            sys.exit(f"--app-root {path}: no manage.py there")


def write_results(name: str, markdown: str, data: object) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    md_path, json_path = RESULTS / f"{name}.md", RESULTS / f"{name}.json"
    md_path.write_text(markdown)
    json_path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return md_path, json_path


# --- a loopback Sentry that only counts ---------------------------------------------------------


def counting_receiver() -> SentryReceiver:
    """The tests' loopback Sentry (every compression the SDK may use, ``TCP_NODELAY``), counting
    items by type instead of keeping them: cheap enough not to fall behind under load.

    On port 80 when it can bind it (root, port free), so that the DSN has no port, as sentry.io's
    have: with a port in the DSN sentry-sdk does not recognise its own requests to Sentry and
    instruments each (a span and a breadcrumb: ~100 µs of the sender thread per envelope) which
    no production DSN without a port pays. Elsewhere a free port, and the figures include that.
    """
    try:
        return SentryReceiver(keep_payloads=False, port=80).start()
    except OSError:
        return SentryReceiver(keep_payloads=False).start()
