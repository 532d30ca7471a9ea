"""Broadcast delivery latency: N sockets in one classroom, a quiz published over HTTP, timed to
each socket.

    .venv/bin/python bench/websockets.py                  # 200 sockets, 5 publishes, Redis layer
    .venv/bin/python bench/websockets.py --quick          # 50 sockets, 2 publishes
    .venv/bin/python bench/websockets.py --layer memory   # the in-process layer (one worker)

Starts the production command (``gunicorn toolbox.asgi -k uvicorn_worker.UvicornWorker``) on a
free loopback port over a fresh SQLite database (``--postgres URL``: a fresh PostgreSQL database
on that server), through ``bench/harness.py``: the server is stopped however the run ends
(normally, an error, Ctrl-C, SIGTERM, SIGHUP). Opens every socket
(authenticated with the ``bearer.<token>`` subprotocol), then publishes quizzes to their
classroom through ``POST /api/v1/quizzes/{id}/publish``. A delivery's latency runs from just
before the publish request is sent to the socket's receipt of ``quiz.published``: the request,
the database write, the channel layer (Redis) and the push. Sentry is off (no DSN): this
measures the app. Everything runs on 127.0.0.1 and the whole run is bounded by ``--deadline``
seconds.

``--sentry`` runs the same with our Sentry stack on at the production default (environment
``production``, traces 0.1), every envelope going to a loopback receiver that only counts.
``--pairs N`` runs Sentry off and on N times each, interleaved (off-on, on-off, ...: drift of the
machine falls on both sides), and reports both sides' samples pooled, each run's p95 and the
workers' CPU per publish: the side-by-side figures of the README (``--sockets 1000 --workers 2
--rounds 20 --pairs 5 --name websockets``). One run per side differs from the next by up to 30%
at p95 on a shared 2-core machine (client, two workers and Redis share the cores); pooled pairs
and CPU per publish are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's folder comes first on sys.path, and this file would shadow the
# websockets library it is named after.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the apps, and bench.harness

import httpx  # noqa: E402
import websockets  # noqa: E402

from bench.harness import (  # noqa: E402
    counting_receiver,
    cpu_seconds,
    machine,
    machine_markdown,
    start_server,
    write_results,
)

SEED = """
import json
from django.contrib.auth.hashers import make_password
from accounts import tokens
from accounts.models import Classroom, Role, User
from quizzes.services import quiz_generate
password = make_password(None)
teacher = User.objects.create(username="bench-teacher", role=Role.TEACHER, password=password)
students = User.objects.bulk_create(
    User(username=f"bench-student-{{i}}", role=Role.STUDENT, password=password)
    for i in range({students})
)
classroom = Classroom.objects.create(teacher=teacher, name="Bench")
classroom.students.set(students)
quizzes = [
    quiz_generate(owner_id=teacher.pk, subject="mathematics", grade_level=5,
                  difficulty="easy", question_count=5, seed=i).pk
    for i in range({rounds})
]
print(json.dumps({{
    "classroom": classroom.pk,
    "quizzes": quizzes,
    "teacher": tokens.issue_pair(teacher.pk, teacher.role).access,
    "students": [tokens.issue_pair(s.pk, s.role).access for s in students],
}}))
"""


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def environment(
    args: argparse.Namespace, database_url: str, prefix: str, dsn: str = ""
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DJANGO_"))}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "toolbox.settings",
            "SENTRY_DSN": dsn,
            # Hardened (traces 0.1, the production default) when Sentry is on.
            "SENTRY_ENVIRONMENT": "production" if dsn else "development",
            "SENTRY_PROFILES_SAMPLE_RATE": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": args.secret_key,
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url if args.layer == "redis" else "",
            "REDIS_KEY_PREFIX": prefix,
            "LOG_FILE": "",
            "LOG_LEVEL": "WARNING",
            "OPENAI_API_KEY": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *command: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"manage.py {command[0]} failed:\n{result.stderr}")
    return result.stdout


async def measure(port: int, seeded: dict, rounds: int, workers_cpu) -> dict[str, list[float]]:
    path = f"/ws/classrooms/{seeded['classroom']}/"
    url = f"ws://127.0.0.1:{port}{path}"
    received: dict[int, list[float]] = {r: [] for r in range(rounds)}
    everyone = {r: asyncio.Event() for r in range(rounds)}
    count = len(seeded["students"])

    async def open_socket(token: str) -> tuple[object, float]:
        started = time.perf_counter()
        ws = await websockets.connect(
            url, subprotocols=["toolbox.v1", f"bearer.{token}"], open_timeout=30, max_queue=None
        )
        ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert ready["type"] == "ready", ready
        return ws, time.perf_counter() - started

    async def listen(ws) -> None:
        for round_number in range(rounds):
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "quiz.published":
                    break
            received[round_number].append(time.perf_counter())
            if len(received[round_number]) == count:
                everyone[round_number].set()

    opened = await asyncio.gather(*(open_socket(token) for token in seeded["students"]))
    sockets = [ws for ws, _ in opened]
    listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
    latencies: list[float] = []
    publish_ms: list[float] = []
    headers = {"Authorization": f"Bearer {seeded['teacher']}"}
    cpu_ms: list[float] = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for round_number, quiz_id in enumerate(seeded["quizzes"][:rounds]):
            cpu_before = workers_cpu()
            started = time.perf_counter()
            response = await http.post(
                f"/api/v1/quizzes/{quiz_id}/publish",
                json={"classroom_id": seeded["classroom"]},
                headers=headers,
            )
            publish_ms.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            await asyncio.wait_for(everyone[round_number].wait(), 30)
            latencies += [(at - started) * 1000 for at in received[round_number]]
            cpu_ms.append((workers_cpu() - cpu_before) * 1000)  # the request and 1,000 pushes
            await asyncio.sleep(0.2)  # let the sockets settle between rounds
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {
        "connect_ms": [seconds * 1000 for _, seconds in opened],
        "delivery_ms": latencies,
        "publish_ms": publish_ms,
        "cpu_ms": cpu_ms,
    }


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "samples": len(samples),
        "p50": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "p99": percentile(samples, 0.99),
        "max": max(samples),
    }


def run_summary(run: dict) -> dict:
    """A run for the JSON results: its figures, not its 20,000 samples."""
    return {
        "sentry": run["sentry"],
        "counted": run["counted"],
        **{key: summary(run[key]) for key in ("delivery_ms", "publish_ms", "connect_ms")},
        "cpu_ms_per_publish": statistics.fmean(run["cpu_ms"]),
    }


def row(name: str, samples: list[float]) -> str:
    figures = summary(samples)
    return (
        f"| {name} | {figures['samples']} | "
        + " | ".join(f"{figures[key]:.1f}" for key in ("p50", "p95", "p99", "max"))
        + " |"
    )


@contextlib.contextmanager
def run_database(postgres: str | None, folder: Path) -> Iterator[str]:
    """A fresh database for one run: SQLite in ``folder``, or with ``postgres`` (a server's URL,
    ``postgres://user@host:port``) a database created on that server and dropped after."""
    if not postgres:
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    import psycopg

    name = f"toolbox_bench_ws_{uuid.uuid4().hex[:12]}"
    server = postgres.rstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_once(args: argparse.Namespace, *, sentry: bool) -> dict:
    """One server (Sentry off or on), its sockets and publishes: the samples, and the envelopes
    the receiver counted."""
    prefix = f"bench-ws-{uuid.uuid4().hex[:8]}"
    receiver = counting_receiver() if sentry else None
    counted: dict = {}
    with (
        tempfile.TemporaryDirectory(prefix="toolbox-bench-ws-") as tmp,
        run_database(args.postgres, Path(tmp)) as database_url,
    ):
        env = environment(args, database_url, prefix, receiver.dsn if receiver else "")
        manage(env, "migrate", "--noinput", "-v0")
        seed = SEED.format(students=args.sockets, rounds=args.rounds)
        seeded = json.loads(manage(env, "shell", "-c", seed).strip().splitlines()[-1])
        server = start_server(
            "websockets",
            Path(tmp),
            env,
            app="toolbox.asgi",
            workers=args.workers,
            worker_class="uvicorn_worker.UvicornWorker",
        )
        pids = server.worker_pids()
        try:
            results = asyncio.run(
                asyncio.wait_for(
                    measure(server.port, seeded, args.rounds, lambda: cpu_seconds(pids)),
                    args.deadline,
                )
            )
        except BaseException:
            print(server.log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
            raise
        finally:
            server.stop()
            if receiver is not None:
                time.sleep(1)  # the last envelopes in flight
                counted = receiver.take()
                receiver.stop()
            if args.layer == "redis":
                import redis

                client = redis.Redis.from_url(args.redis_url)
                for key in client.scan_iter(f"{prefix}*"):
                    client.delete(key)
    return {**results, "sentry": sentry, "counted": counted}


SIDES = {False: "Sentry off", True: "Sentry on (production default, traces 0.1)"}


def table(results: dict) -> list[str]:
    return [
        "| | samples | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        row("delivery (publish sent -> frame received)", results["delivery_ms"]),
        row("publish request (HTTP answer)", results["publish_ms"]),
        row("socket open + auth + ready", results["connect_ms"]),
        row("workers' CPU per publish (request and pushes)", results["cpu_ms"]),
    ]


def pooled(runs: list[dict]) -> dict:
    keys = ("delivery_ms", "publish_ms", "connect_ms", "cpu_ms")
    return {key: [sample for run in runs for sample in run[key]] for key in keys}


def served_by(args: argparse.Namespace) -> str:
    """The server side of a run, for the report's first line."""
    database = "PostgreSQL" if args.postgres else "SQLite"
    return f"{args.workers} uvicorn worker(s), {args.layer} channel layer, {database}"


def compare(args: argparse.Namespace, runs: list[dict], when: str) -> str:
    """The pairs' report: both sides pooled, the ratios, and every run's p95 and CPU."""
    sides = {sentry: [run for run in runs if run["sentry"] is sentry] for sentry in SIDES}
    pools = {sentry: pooled(side) for sentry, side in sides.items()}
    p95 = {sentry: percentile(pool["delivery_ms"], 0.95) for sentry, pool in pools.items()}
    cpu = {sentry: statistics.fmean(pool["cpu_ms"]) for sentry, pool in pools.items()}
    pair_ratios = [
        percentile(on["delivery_ms"], 0.95) / percentile(off["delivery_ms"], 0.95)
        for off, on in zip(sides[False], sides[True], strict=True)
    ]
    lines = [
        f"{args.sockets} sockets, {args.rounds} publishes per run, {served_by(args)}; "
        f"{args.pairs} runs per side, interleaved "
        f"(off-on, on-off, ...); {when}",
        "",
        *machine_markdown({k: v for k, v in machine().items() if k != "load generator"}),
        "",
        f"- Delivery p95, pooled: Sentry on {p95[True]:.1f} ms, off {p95[False]:.1f} ms: "
        f"**{p95[True] / p95[False]:.2f}x**",
        f"- Each pair's p95 ratio: {', '.join(f'{r:.2f}x' for r in pair_ratios)} "
        f"(median {statistics.median(pair_ratios):.2f}x)",
        f"- Workers' CPU per publish (the request and its pushes), mean: on {cpu[True]:.1f} ms, "
        f"off {cpu[False]:.1f} ms: **{cpu[True] / cpu[False]:.2f}x**",
        f"- Sentry receiver counted: {sum_counts(run['counted'] for run in sides[True])}",
    ]
    for sentry, label in SIDES.items():
        lines += ["", f"{label}, {args.pairs} runs pooled:", "", *table(pools[sentry])]
    lines += ["", "Each run, in order:", ""]
    lines += ["| run | side | delivery p95 ms | CPU per publish ms |", "|---|---|---|---|"]
    for number, run in enumerate(runs, 1):
        lines.append(
            f"| {number} | {'on' if run['sentry'] else 'off'} "
            f"| {percentile(run['delivery_ms'], 0.95):.1f} "
            f"| {statistics.fmean(run['cpu_ms']):.1f} |"
        )
    return "\n".join(lines) + "\n"


def sum_counts(counts) -> dict[str, int]:
    return dict(sum((Counter(count) for count in counts), Counter()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="publishes, one quiz each")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (gunicorn)")
    parser.add_argument("--layer", choices=("redis", "memory"), default="redis")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    parser.add_argument(
        "--postgres",
        help="a PostgreSQL server's URL (postgres://user@host:port): each run on a fresh "
        "database there instead of SQLite",
    )
    parser.add_argument("--deadline", type=float, default=120, help="seconds for each run")
    parser.add_argument("--quick", action="store_true", help="50 sockets, 2 publishes")
    side = parser.add_mutually_exclusive_group()
    side.add_argument(
        "--sentry", action="store_true", help="our Sentry stack on (production default, 0.1)"
    )
    side.add_argument(
        "--pairs", type=int, default=0, help="N runs with Sentry off and N on, interleaved"
    )
    parser.add_argument(
        "--name", default="", help="with --pairs: also write bench/results/NAME.{md,json}"
    )
    args = parser.parse_args()
    if args.quick:
        args.sockets, args.rounds = 50, 2
    if args.layer == "memory" and args.workers != 1:
        parser.error("the in-memory layer only reaches sockets of its own process: --workers 1")
    if args.name and not args.pairs:
        parser.error("--name needs --pairs")
    args.secret_key = secrets.token_urlsafe(48)

    if not args.pairs:
        results = run_once(args, sentry=args.sentry)
        if args.sentry:
            print(f"Sentry receiver counted: {results['counted']}", file=sys.stderr)
        print(
            f"\n{args.sockets} sockets, {args.rounds} publishes, {served_by(args)}, "
            f"{SIDES[args.sentry]}; "
            f"{os.cpu_count()} cores, Python {platform.python_version()}\n"
        )
        print("\n".join(table(results)))
        return 0

    started = datetime.now(UTC)
    runs = []
    for pair in range(args.pairs):
        for sentry in (False, True) if pair % 2 == 0 else (True, False):
            runs.append(run_once(args, sentry=sentry))
            print(
                f"pair {pair + 1}, {'on ' if sentry else 'off'}: delivery p95 "
                f"{percentile(runs[-1]['delivery_ms'], 0.95):.1f} ms",
                file=sys.stderr,
            )
    report = compare(args, runs, f"{started:%Y-%m-%d %H:%M}-{datetime.now(UTC):%H:%M} UTC")
    print(report)
    if args.name:
        data = [run_summary(run) for run in runs]
        for path in write_results(args.name, f"# WebSocket fan-out\n\n{report}", data):
            print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
