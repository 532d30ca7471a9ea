"""Request overhead of the monitoring layer under gunicorn, against Sentry off and bare sentry-sdk.

    .venv/bin/python bench/overhead.py            # 3 rounds x 10 s per config and endpoint, ~6 min
    .venv/bin/python bench/overhead.py --quick    # 1 round x 3 s: a smoke run, ~1 min

Five configurations, each its own gunicorn (2 sync workers) on 127.0.0.1, all started at once and
loaded in turn (A B C D E, A B C D E, ...) so that a drift of the machine hits all of them alike:

* ``off``       Sentry off (no DSN): the app and the non-Sentry monitoring (metrics, logs, alerts)
* ``bare-1.0``  plain ``sentry_sdk.init(dsn, traces_sample_rate=1.0, [DjangoIntegration()])``
  (``bench/wsgi_bare.py``; our own Sentry features off, the rest of the monitoring layer on)
* ``ours-1.0``  our whole stack (``monitoring/sentry.py``) at traces 1.0
* ``ours-0.1``  our whole stack at the production default, 0.1
* ``bare-0.1``  plain sentry-sdk at 0.1

All in production settings (DEBUG off), profiling off, our logs on as in production. Every DSN
points at a loopback receiver in this process that counts what arrives
(:func:`bench.harness.counting_receiver`). Two endpoints: ``GET /api/v1/content?limit=20`` with
a Bearer token (JWT check, four queries, user context) and ``GET /sentry/status`` with the
monitoring token (no database work); ``--endpoints me`` adds ``GET /api/v1/auth/me``.

The load generator (wrk, ``-t1 -c4``) and the receiver share the 2 cores with the workers, so
throughput and latency are indicative; the figure to trust is the workers' CPU time per request
(utime + stime of the worker processes, all threads, from ``/proc/<pid>/stat``, over the requests
wrk saw served). ``--baseline-root`` runs our configurations a second time from another copy of
the project, interleaved with the rest: before/after a change, in one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    MONITORING_TOKEN,
    Server,
    access_token,
    base_environment,
    connections_per_worker,
    counting_receiver,
    cpu_seconds,
    machine,
    machine_busy_seconds,
    machine_markdown,
    own_seconds,
    prepare_database,
    seed_lessons,
    start_server,
    use_app_root,
    write_results,
)
from bench.overhead_report import Cell, Run, table, verdicts
from bench.wrk import require_wrk, run_wrk, start_wrk
from tests.support.sentry_receiver import SentryReceiver


@dataclass(frozen=True)
class Config:
    name: str
    label: str
    app: str
    dsn: bool
    traces_rate: str | None  # None: the environment's default (0.1 in production)
    baseline: bool = False  # run from --baseline-root (e.g. the code before a change)
    server: str = "wsgi"  # gunicorn sync workers, or "asgi": uvicorn workers (toolbox.asgi)

    @property
    def suffix(self) -> str:
        return "@asgi" if self.server == "asgi" else ""

    def on(self, server: str) -> Config:
        """This configuration served by ``server`` (its name and label say which)."""
        if server == "wsgi":
            return self
        return dataclasses.replace(
            self,
            name=f"{self.name}@asgi",
            label=f"{self.label}, ASGI",
            app=ASGI_APPS[self.app],
            server="asgi",
        )


CONFIGS = (
    Config("off", "(a) Sentry off", "toolbox.wsgi", dsn=False, traces_rate=None),
    Config("bare-1.0", "(b) bare sentry-sdk, traces 1.0", "bench.wsgi_bare", True, "1.0"),
    Config("ours-1.0", "(c) our stack, traces 1.0", "toolbox.wsgi", True, "1.0"),
    Config(
        "ours-0.1", "(d) our stack, traces 0.1 (production default)", "toolbox.wsgi", True, None
    ),
    Config("bare-0.1", "(e) bare sentry-sdk, traces 0.1", "bench.wsgi_bare", True, "0.1"),
    # Not in the default run: the unsampled path alone, to split the production default's cost
    # into what every request pays and what the sampled tenth adds.
    Config("ours-0.0", "(f) our stack, traces 0 (nothing sampled)", "toolbox.wsgi", True, "0.0"),
)
DEFAULT_CONFIGS = ("off", "bare-1.0", "ours-1.0", "ours-0.1", "bare-0.1")
# The ASGI entry of each WSGI entry: the production command's app, and bare sentry-sdk's.
ASGI_APPS = {"toolbox.wsgi": "toolbox.asgi", "bench.wsgi_bare": "bench.asgi_bare"}
SERVERS = ("wsgi", "asgi")
ENDPOINTS = {
    "lessons": (
        "GET /api/v1/content?limit=20 (JWT, 3 queries, 5 lessons)",
        "/api/v1/content?limit=20",
    ),
    "status": ("GET /sentry/status (no database)", "/sentry/status"),
    # Not in the default run: the view itself loads the user's permissions, which hides the
    # cost of loading them for the user context.
    "me": ("GET /api/v1/auth/me (JWT, 1 query once warm)", "/api/v1/auth/me"),
    # The five commonest requests of a school day, in turn (mixed_requests).
    "mixed": ("Mixed: the five commonest teacher and student requests, in turn", ""),
}
DEFAULT_ENDPOINTS = ("lessons", "status")


def mixed_requests(teacher: str, student: str, lesson_id: int) -> list[tuple[str, dict[str, str]]]:
    """What teachers and students ask most: their lessons, their quizzes, one lesson, who am I."""
    as_teacher = {"Authorization": f"Bearer {teacher}"}
    as_student = {"Authorization": f"Bearer {student}"}
    return [
        ("/api/v1/content?limit=20", as_teacher),
        ("/api/v1/quizzes?limit=20", as_teacher),
        ("/api/v1/content?limit=20", as_student),
        (f"/api/v1/content/{lesson_id}", as_student),
        ("/api/v1/auth/me", as_student),
    ]


def headers_for(endpoint: str, token: str) -> dict[str, str]:
    if endpoint == "status":
        return {"Authorization": f"Bearer {MONITORING_TOKEN}"}
    return {"Authorization": f"Bearer {token}"}


# A keep-alive server (uvicorn) keeps each of wrk's connections on the worker that accepted it
# for the whole run. Opened together by one wrk thread, the four connections nearly always went
# to one worker (uvicorn accepts all that are pending), the other idle, and now and then two
# each: ~25% more CPU per request and half the throughput in the first case, which made single
# ASGI rounds of one configuration differ by up to 40%. So on such a server wrk runs a thread
# per connection (they connect one by one, each to whichever worker wakes first) and is started
# again until the connections are spread evenly; the check takes a fraction of a second. (Sync
# workers close every connection after its request: nothing to deal.)
MAX_DEALS = 40


def dealt_evenly(port: int, pids: list[int], conns: int) -> bool:
    """Whether wrk's ``conns`` connections to ``port`` are spread evenly over the ``pids``
    workers (True too when they cannot be counted within 2 s: the run goes on)."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        held = connections_per_worker(pids, port)
        if sum(held) >= conns:
            return max(held) <= -(-conns // len(pids))
        time.sleep(0.02)
    return True


def measure(
    server: Server,
    receiver: SentryReceiver,
    path: str,
    headers: dict[str, str],
    seconds: float,
    conns: int,
    pause_ms: float,
    requests: list[tuple[str, dict[str, str]]] | None = None,
    *,
    deal_evenly: bool = False,
) -> Run:
    pids = server.worker_pids()
    for deal in range(1, MAX_DEALS + 1):
        receiver.take()
        before, busy_before, own_before = cpu_seconds(pids), machine_busy_seconds(), own_seconds()
        wrk = start_wrk(
            server.url + path,
            seconds=seconds,
            threads=conns if deal_evenly else 1,
            connections=conns,
            headers=headers,
            pause_ms=pause_ms,
            requests=requests,
        )
        if not deal_evenly or deal == MAX_DEALS or dealt_evenly(server.port, pids, conns):
            break
        wrk.cancel()
        time.sleep(0.3)  # the cancelled run's last requests end before the next one's window
    result = wrk.result()
    after, busy_after, own_after = cpu_seconds(pids), machine_busy_seconds(), own_seconds()
    other = (busy_after - busy_before) - (after - before) - (own_after - own_before)
    time.sleep(0.5)  # the last envelopes in flight (their sending is in ``after`` or lost)
    transactions = receiver.take().get("transaction", 0)
    return Run(result, after - before, transactions, max(0.0, other) / result.seconds, deal)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds per server/endpoint")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--pause-ms", type=float, default=0, help="pause between a connection's requests (pacing)"
    )
    parser.add_argument(
        "--max-other-load",
        type=float,
        default=0.5,
        help="cores busy with other processes above which a run is repeated",
    )
    parser.add_argument("--retries", type=int, default=1, help="repeats of a disturbed run")
    parser.add_argument("--configs", default=",".join(DEFAULT_CONFIGS))
    parser.add_argument("--endpoints", default=",".join(DEFAULT_ENDPOINTS))
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--app-root", help="run the servers from this copy of the project")
    parser.add_argument(
        "--baseline-root",
        help="also run --baseline-configs from this copy of the project (before/after a change)",
    )
    parser.add_argument(
        "--baseline-configs",
        default="ours-1.0,ours-0.1",
        help="configs to run from --baseline-root too; ASGI's as ours-0.1@asgi",
    )
    parser.add_argument("--baseline-label", default="before the fixes")
    parser.add_argument("--name", default="overhead", help="results file name (bench/results/)")
    parser.add_argument(
        "--server",
        choices=(*SERVERS, "both"),
        default="both",
        help="gunicorn sync workers (wsgi), uvicorn workers (asgi, toolbox.asgi) or both",
    )
    parser.add_argument(
        "--any-deal",
        action="store_true",
        help="keep wrk's connections on whichever uvicorn worker accepted them (see MAX_DEALS)",
    )
    parser.add_argument("--quick", action="store_true", help="1 round x 3 s: a smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.seconds, args.warmup = 1, 3.0, 1.0
    require_wrk()
    use_app_root(args.app_root)
    servers_run = SERVERS if args.server == "both" else (args.server,)
    configs = [
        c.on(server) for server in servers_run for c in CONFIGS if c.name in args.configs.split(",")
    ]
    baseline_root = Path(args.baseline_root).resolve() if args.baseline_root else None
    if baseline_root is not None:
        # On either server: "ours-0.1" is WSGI's, "ours-0.1@asgi" ASGI's.
        configs += [
            dataclasses.replace(
                c, name=f"{c.name}@base", label=f"{c.label}, {args.baseline_label}", baseline=True
            )
            for c in configs
            if c.name in args.baseline_configs.split(",")
        ]
    endpoints = [e for e in ENDPOINTS if e in args.endpoints.split(",")]
    started = time.perf_counter()

    receiver = counting_receiver()
    servers: dict[str, Server] = {}
    retried = redealt = 0
    with tempfile.TemporaryDirectory(prefix="toolbox-bench-") as tmp:
        work = Path(tmp)
        try:
            database_url = prepare_database(work, args.database_url)
            env = base_environment(database_url, work)
            for config in configs:
                server_env = {**env, "SENTRY_DSN": receiver.dsn if config.dsn else ""}
                if config.traces_rate is not None:
                    server_env["SENTRY_TRACES_SAMPLE_RATE"] = config.traces_rate
                servers[config.name] = start_server(
                    config.name,
                    work,
                    server_env,
                    app=config.app,
                    app_root=baseline_root if config.baseline else None,
                    worker_class="uvicorn_worker.UvicornWorker"
                    if config.server == "asgi"
                    else "sync",
                )
            first = next(iter(servers.values())).url
            token = access_token(first)
            lesson_ids = seed_lessons(first, token, count=5)
            mixed = mixed_requests(token, access_token(first, "bench-student"), lesson_ids[0])
            scripted = {"mixed": mixed}
            for server in servers.values():  # every server answers 200 before anything counts
                for endpoint in endpoints:
                    path = ENDPOINTS[endpoint][1]
                    run_wrk(
                        server.url + path,
                        seconds=args.warmup,
                        connections=args.connections,
                        headers=headers_for(endpoint, token),
                        requests=scripted.get(endpoint),
                    )
                    import httpx

                    for each, headers in scripted.get(endpoint) or [
                        (path, headers_for(endpoint, token))
                    ]:
                        status = httpx.get(server.url + each, headers=headers, timeout=10)
                        if status.status_code != 200:
                            raise RuntimeError(f"{server.name} {each} answered {status}")
            results = {e: {c.name: Cell() for c in configs} for e in endpoints}
            for round_number in range(1, args.rounds + 1):
                for endpoint in endpoints:
                    path = ENDPOINTS[endpoint][1]
                    for config in configs:
                        for attempt in range(1 + args.retries):
                            run = measure(
                                servers[config.name],
                                receiver,
                                path,
                                headers_for(endpoint, token),
                                args.seconds,
                                args.connections,
                                args.pause_ms,
                                scripted.get(endpoint),
                                deal_evenly=config.server == "asgi" and not args.any_deal,
                            )
                            redealt += run.deals - 1
                            print(
                                f"round {round_number} {endpoint:7} {config.name:9} "
                                f"{run.wrk.rps:7.0f} req/s  p50 {run.wrk.p50_ms:6.2f} ms  "
                                f"p99 {run.wrk.p99_ms:6.2f} ms  "
                                f"{run.cpu_us_per_request:6.0f} µs/req  "
                                f"traced {run.transactions}  other load {run.other_load:.2f}"
                                + (f"  wrk started {run.deals}x" if run.deals > 1 else ""),
                                file=sys.stderr,
                                flush=True,
                            )
                            if run.other_load <= args.max_other_load:
                                break
                            retried += attempt < args.retries  # another process was busy
                        results[endpoint][config.name].runs.append(run)
        finally:
            for server in servers.values():
                server.stop()
            receiver.stop()

    info = machine()
    lines = [
        "# Request overhead of the monitoring layer",
        "",
        *machine_markdown(info),
        "",
        f"gunicorn, 2 workers ({' and '.join(servers_run)}: sync workers for WSGI, "
        "uvicorn_worker.UvicornWorker for ASGI), production settings (DEBUG off), "
        "profiling off, logs on, "
        + (
            "the DSN without a port (receiver on port 80, as sentry.io's DSNs), "
            if receiver.port == 80
            else f"the DSN with a port ({receiver.port}: +~100 µs per envelope, bench/README.md), "
        )
        + ("PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite")
        + f"; wrk -t1 -c{args.connections}"
        + (f" pausing {args.pause_ms:g} ms between requests" if args.pause_ms else "")
        + f"; {args.rounds} interleaved rounds x {args.seconds:g} s per config and endpoint. "
        "req/s, p50, p99 and worker CPU per request (utime + stime of the 2 workers, all "
        "threads, over the requests served) are medians over the rounds; the range is per "
        "round. 'traced': share of requests whose transaction reached the loopback receiver. "
        "'other load': the most cores any round saw busy outside the workers, wrk and the "
        f"receiver (a run above {args.max_other_load:g} was repeated, at most {args.retries} "
        f"times; {retried} repeats)."
        + (
            ""
            if args.any_deal or "asgi" not in servers_run
            else " uvicorn keeps each connection on the worker that accepted it: against it, wrk "
            f"ran a thread per connection (-t{args.connections}) and was started again until its "
            f"{args.connections} connections were spread evenly over the 2 workers ({redealt} "
            "restarts in all; sync workers close every connection)."
        ),
        "",
    ]
    for endpoint in endpoints:
        lines += table(results, endpoint, ENDPOINTS[endpoint][0], configs) + [""]
    lines += ["Targets of #16 (worker CPU per request):", ""]
    lines += verdicts(results)
    lines += ["", f"Total benchmark time: {time.perf_counter() - started:.0f} s"]
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    data = {
        "machine": info,
        "settings": vars(args),
        "results": {
            endpoint: {
                name: {
                    "rps": cell.rps,
                    "p50_ms": cell.p50,
                    "p99_ms": cell.p99,
                    "cpu_us_per_request": cell.cpu_us,
                    "cpu_us_per_request_pooled": cell.cpu_us_pooled,
                    "other_load_max": cell.other_load,
                    "cpu_us_per_request_by_round": [r.cpu_us_per_request for r in cell.runs],
                    "requests": cell.requests,
                    "traced_share": cell.sampled,
                    "errors": cell.errors,
                }
                for name, cell in cells.items()
            }
            for endpoint, cells in results.items()
        },
    }
    if not args.quick:  # a smoke run does not replace the published figures
        md_path, _ = write_results(args.name, markdown, data)
        print(f"Written to {md_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
