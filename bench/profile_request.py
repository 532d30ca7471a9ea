"""Where a request's CPU goes, in one process: the WSGI (or ASGI) handler in a loop, no HTTP.

    .venv/bin/python bench/profile_request.py                 # A/B table: Sentry off, 0.1, 1.0
    .venv/bin/python bench/profile_request.py --profile status --rate 0.1   # cProfile top
    .venv/bin/python bench/profile_request.py --logs-level INFO  # Sentry Logs of INFO records too
    .venv/bin/python bench/profile_request.py --stages   # a sampled transaction, stage by stage
    .venv/bin/python bench/profile_request.py --phases   # at 0.1: our serializer and the SDK's
    .venv/bin/python bench/profile_request.py --server asgi  # toolbox.asgi on one event loop

Production settings (DEBUG off, SQLite in a temporary folder, our JSON logs on) with the DSN of a
loopback receiver that only counts. Sentry is re-initialised between configurations with
``init_sentry`` (what ``MonitoringConfig.ready`` calls), so each configuration runs the same code
a gunicorn worker would, through Django's ``WSGIHandler`` (or, with ``--server asgi``, the
production ASGI application, requests one after another on one event loop as a uvicorn worker
runs them, sync views in asgiref's thread) and all our middleware. The
configurations are interleaved, round after round, and CPU is ``time.process_time()``: every
thread of the process, so the SDK's sender thread (serialisation, compression, HTTP) is counted.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import dataclasses
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import MONITORING_TOKEN, base_environment  # noqa: E402

RECEIVER = (
    "import sys, time; sys.path.insert(0, '.'); from bench.harness import counting_receiver; "
    "r = counting_receiver(); print(r.dsn, flush=True); time.sleep(10**6)"
)

PATHS = {"status": "/sentry/status", "lessons": "/api/v1/content?limit=20", "me": "/api/v1/auth/me"}


def setup(work: Path, dsn: str, server: str) -> None:
    env = base_environment(f"sqlite:///{work / 'profile.sqlite3'}", work)
    env["SENTRY_DSN"] = dsn
    # As toolbox.wsgi and toolbox.asgi leave it: persistent connections in WSGI workers only.
    env["DATABASE_CONN_MAX_AGE"] = "60" if server == "wsgi" else "0"
    for key in ("SENTRY_TRACES_SAMPLE_RATE", "REDIS_URL"):
        os.environ.pop(key, None)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "toolbox.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def wsgi_caller():
    """``call(path, token) -> status`` through Django's WSGI handler."""
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    return lambda path, token: wsgi_call(handler, path, token)


def asgi_caller():
    """``call(path, token) -> status`` through ``toolbox.asgi.application`` on one event loop."""
    import asyncio

    from toolbox.asgi import application

    loop = asyncio.new_event_loop()

    async def request(path: str, token: str) -> int:
        route, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": route,
            "raw_path": route.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"authorization", f"Bearer {token}".encode()),
                (b"user-agent", b"wrk"),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        body = [{"type": "http.request", "body": b"", "more_body": False}]
        status: list[int] = []

        async def receive():
            if body:
                return body.pop()
            await asyncio.Event().wait()  # Django's disconnect listener, cancelled at the end

        async def send(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await application(scope, receive, send)
        return status[0]

    return lambda path, token: loop.run_until_complete(request(path, token))


def wsgi_call(handler, path: str, token: str) -> int:
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_USER_AGENT": "wrk",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status: list[str] = []
    body = handler(environ, lambda s, h, e=None: status.append(s))
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()
    return int(status[0].split()[0])


def seed() -> str:
    """The bench teacher, five lessons, and an access token."""
    import json

    from django.test import Client

    from accounts.services import user_create

    user_create(username="bench-teacher", password="bench-maple-kite-42", role="teacher")
    client = Client(HTTP_HOST="127.0.0.1")
    access = client.post(
        "/api/v1/auth/login",
        {"username": "bench-teacher", "password": "bench-maple-kite-42"},
        content_type="application/json",
    ).json()["access"]
    for n in range(5):
        response = client.post(
            "/api/v1/content/generate",
            json.dumps(
                {
                    "subject": "science",
                    "grade_level": 7,
                    "learning_objectives": ["Describe the water cycle"],
                    "content_type": "lesson",
                    "complexity": "basic",
                    "seed": n,
                }
            ),
            content_type="application/json",
            headers={"Authorization": f"Bearer {access}"},
        )
        assert response.status_code == 201, response.content
    return access


def use(config_name: str, rate: float) -> None:
    from django.conf import settings

    from monitoring.sentry import init_sentry

    config = settings.SENTRY
    if config_name == "off":
        config = dataclasses.replace(config, dsn="")
    else:
        config = dataclasses.replace(config, traces_sample_rate=rate)
    init_sentry(config)


def loop(call, path: str, token: str, n: int) -> float:
    """CPU µs per request (all threads), after a flush so queued sends are paid for here."""
    import sentry_sdk

    start = time.process_time()
    for _ in range(n):
        call(path, token)
    client = sentry_sdk.get_client()
    if client.is_active():
        client.flush(timeout=5)
    return (time.process_time() - start) * 1e6 / n


def thread_cpu(fn, n: int) -> float:
    """This thread's CPU µs per call of ``fn``."""
    start = time.thread_time()
    for _ in range(n):
        fn()
    return (time.thread_time() - start) * 1e6 / n


def phases(call, endpoint: str, path: str, token: str, rounds: int = 3, n: int = 2000) -> None:
    """At traces 0.1, per sampled transaction (thread CPU timed around the calls, so the code
    runs as cold as it does between samples): the serializer and the client's whole
    ``capture_event``, with ``monitoring.serializer``'s copy and with the SDK's serializer,
    interleaved round after round."""
    import functools

    import sentry_sdk
    import sentry_sdk.client as sdk_client

    from monitoring import serializer

    spent: dict[str, list[float]] = {}

    def timed(label, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            start = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent.setdefault(label, []).append(time.thread_time() - start)

        return wrapper

    capture = sdk_client._Client.capture_event
    results: dict[tuple[str, str], list[float]] = {}
    ways = (("our copy", serializer.serialize), ("the SDK's serializer", serializer.sdk_serialize))
    use("ours", 0.1)
    try:
        sdk_client._Client.capture_event = timed("capture_event", capture)
        for _ in range(rounds):
            for way, fn in ways:
                sdk_client.serialize = timed("serializer", fn)
                loop(call, path, token, 100)
                spent.clear()
                loop(call, path, token, n)
                for label, values in spent.items():
                    results.setdefault((way, label), []).append(statistics.mean(values) * 1e6)
    finally:
        sdk_client._Client.capture_event = capture
        serializer.install()
        sentry_sdk.get_client().flush(timeout=5)
    print(f"\n{endpoint} at traces 0.1, µs of the request thread per sampled transaction")
    print("| serializer | serializer µs | capture_event µs | rounds (capture_event) |")
    print("|---|---:|---:|---:|")
    for way, _ in ways:
        ser, cap = results[(way, "serializer")], results[(way, "capture_event")]
        spread = f"{min(cap):.0f}–{max(cap):.0f}"
        print(f"| {way} | {statistics.median(ser):.0f} | {statistics.median(cap):.0f} | {spread} |")


def stages(call, endpoint: str, path: str, token: str, n: int = 300) -> None:
    """One sampled transaction, stage by stage (µs of CPU): the request's thread at traces 1.0
    minus 0.0, the sender thread, and each stage alone on a captured transaction."""
    import copy

    import sentry_sdk
    import sentry_sdk.client
    from sentry_sdk.serializer import serialize as sdk_serialize
    from sentry_sdk.transport import EndpointType

    split = {}
    for rate in (0.0, 1.0):
        use("ours", rate)
        loop(call, path, token, 50)
        process, thread = time.process_time(), time.thread_time()
        for _ in range(n):
            call(path, token)
        thread = time.thread_time() - thread
        sentry_sdk.get_client().flush(timeout=5)
        process = time.process_time() - process
        split[rate] = (thread * 1e6 / n, (process - thread) * 1e6 / n)
    client = sentry_sdk.get_client()
    hook = client.options["before_send_transaction"]
    events, envelopes = [], []
    client.options["before_send_transaction"] = lambda e, h: (
        events.append(copy.deepcopy(e)) or hook(e, h)
    )
    capture = client.transport.capture_envelope
    client.transport.capture_envelope = lambda env: envelopes.append(env) or capture(env)
    call(path, token)
    client.flush(timeout=5)
    client.options["before_send_transaction"], client.transport.capture_envelope = hook, capture
    event = events[-1]
    envelope = next(e for e in envelopes if e.get_transaction_event() is not None)
    body = envelope.serialize()
    copying = thread_cpu(lambda: copy.deepcopy(event), n)
    transport = client.transport
    rows = [
        ("request thread, sampled minus unsampled", split[1.0][0] - split[0.0][0]),
        (
            "  of it: serializer (monitoring.serializer's copy)",
            thread_cpu(lambda: sentry_sdk.client.serialize(copy.deepcopy(event)), n) - copying,
        ),
        (
            "  (the SDK's serializer would take)",
            thread_cpu(lambda: sdk_serialize(copy.deepcopy(event)), n) - copying,
        ),
        (
            "  of it: our before_send_transaction",
            thread_cpu(lambda: hook(copy.deepcopy(event), {}), n) - copying,
        ),
        ("sender thread, per transaction", split[1.0][1] - split[0.0][1]),
        ("  of it: envelope to bytes", thread_cpu(envelope.serialize, n)),
        (
            "  of it: compression (the SDK's)",
            thread_cpu(lambda: transport._serialize_envelope(envelope), n)
            - thread_cpu(envelope.serialize, n),
        ),
        (
            "  of it: HTTP POST (http.client, SDK bookkeeping)",
            thread_cpu(
                lambda: transport._send_request(
                    body,
                    headers={"Content-Type": "application/x-sentry-envelope"},
                    endpoint_type=EndpointType.ENVELOPE,
                    envelope=envelope,
                ),
                n,
            ),
        ),
    ]
    print(f"\n{endpoint}: {len(body)} byte transaction, {len(event.get('spans', []))} spans")
    print("| stage | CPU µs |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--endpoints", default="status,lessons")
    parser.add_argument("--configs", default="off,0.1,1.0")
    parser.add_argument("--profile", help="cProfile this endpoint instead of the A/B table")
    parser.add_argument("--rate", type=float, default=0.1, help="traces rate for --profile")
    parser.add_argument("--server", choices=("wsgi", "asgi"), default="wsgi")
    parser.add_argument("--logs-level", help="SENTRY_LOGS_LEVEL for this run")
    parser.add_argument(
        "--phases", action="store_true", help="at 0.1: our serializer against the SDK's"
    )
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--dump", help="with --profile: also write the cProfile stats to this file")
    parser.add_argument(
        "--stages", action="store_true", help="split a sampled transaction's CPU into its stages"
    )
    args = parser.parse_args(argv)
    if args.logs_level:
        os.environ["SENTRY_LOGS_LEVEL"] = args.logs_level
    # The receiver runs in a process of its own: its CPU is not the app's.
    receiver = subprocess.Popen(
        [sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    # Removed last of all at exit (atexit runs in reverse): the app logs its shutdown there.
    tmp = Path(tempfile.mkdtemp(prefix="profile-request-"))
    atexit.register(shutil.rmtree, tmp, True)
    try:
        return run(args, tmp, receiver.stdout.readline().strip())
    finally:
        receiver.terminate()
        receiver.wait()


def run(args: argparse.Namespace, tmp: Path, dsn: str) -> int:
    setup(tmp, dsn, args.server)
    import sentry_sdk

    call = asgi_caller() if args.server == "asgi" else wsgi_caller()
    # The seed runs outside any request (its content generation too): in a scope of its
    # own, so that nothing it leaves on a scope enlarges the events measured after it.
    with sentry_sdk.isolation_scope():
        token = seed()
    tokens = {"status": MONITORING_TOKEN}
    if args.stages:
        for endpoint in args.endpoints.split(","):
            stages(call, endpoint, PATHS[endpoint], tokens.get(endpoint, token))
        return 0
    if args.phases:
        for endpoint in args.endpoints.split(","):
            phases(call, endpoint, PATHS[endpoint], tokens.get(endpoint, token))
        return 0
    if args.profile:
        use("ours", args.rate)
        path, tok = PATHS[args.profile], tokens.get(args.profile, token)
        loop(call, path, tok, 200)
        profiler = cProfile.Profile()
        profiler.enable()
        loop(call, path, tok, args.requests)
        profiler.disable()
        if args.dump:
            profiler.dump_stats(args.dump)  # for pstats' callers/callees
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
        return 0
    configs = args.configs.split(",")
    results: dict[tuple[str, str], list[float]] = {}
    for endpoint in args.endpoints.split(","):
        path, tok = PATHS[endpoint], tokens.get(endpoint, token)
        for config in configs:  # warm-up
            use("off" if config == "off" else "ours", float(config) if config != "off" else 0)
            loop(call, path, tok, 100)
        for _ in range(args.rounds):
            for config in configs:
                use(
                    "off" if config == "off" else "ours",
                    float(config) if config != "off" else 0,
                )
                cost = loop(call, path, tok, args.requests)
                results.setdefault((endpoint, config), []).append(cost)
    print("| endpoint | config | CPU µs/req (median) | x off | range |")
    print("|---|---|---:|---:|---:|")
    for (endpoint, config), values in results.items():
        base = statistics.median(results[(endpoint, "off")]) if "off" in configs else 0
        median = statistics.median(values)
        print(
            f"| {endpoint} | {config} | {median:.0f} | "
            f"{median / base if base else 0:.2f} | {min(values):.0f}–{max(values):.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
