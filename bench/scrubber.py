"""What scrubbing costs per event: the ``before_send*`` hooks on small and large (200 KB) events.

    .venv/bin/python bench/scrubber.py            # about 15 s
    .venv/bin/python bench/scrubber.py --quick    # a smoke run, a few seconds

The hooks are the ones ``sentry_sdk.init`` gets (``monitoring.scrubbing.make_hooks``, PII off as
in production), called on events shaped like the SDK's: an error event (request with headers and
a JSON body, a chained exception with frames and their locals, breadcrumbs), a transaction (a
request and database spans) and, for the large sizes (about 200 KB), the same with a 100 KB JSON
body, big locals and 100 breadcrumbs, or 220 database spans. Each case is timed twice:

* **repeated**: the same event again and again (source lines, SQL statements and messages that
  repeat from event to event hit the scrubber's cache of clean strings, as in production);
* **unique**: every string of every event is new (nothing cached: the worst case).

An event is deep-copied before each call (the hooks edit it in place), outside the timing. Prints a
Markdown table (median and p95 in microseconds, and throughput in MB of event JSON per second)
and writes it to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import machine, machine_markdown, write_results

LARGE_BYTES = 200_000


# --- events shaped like the SDK's -----------------------------------------------------------------


def _frame(index: int, salt: str, big_locals: bool) -> dict[str, Any]:
    variables: dict[str, Any] = {
        "request": f"<WSGIRequest: GET '/api/v1/content/{index}{salt}'>",
        "lesson_id": index,
        "subject": f"science{salt}",
        "objectives": [f"Describe the water cycle{salt}", f"Explain evaporation{salt}"],
        "options": {"grade_level": 7, "complexity": "basic", "seed": 42 + index},
        "self": f"<lessons.services.LessonService object at 0x7f{index:010x}>",
    }
    if big_locals:
        variables["sections"] = [
            {
                "heading": f"Section {n}{salt}",
                "body": f"Water evaporates from the sea {n}{salt}. " * 20,
            }
            for n in range(12)
        ]
    return {
        "filename": f"lessons/services{index}.py",
        "abs_path": f"/srv/toolbox/lessons/services{index}.py",
        "function": f"lesson_generate_{index}",
        "module": "lessons.services",
        "lineno": 40 + index,
        "pre_context": [f"    params = normalise(payload){salt}", "    with span():"],
        "context_line": f"        lesson = build_lesson(subject=subject, grade=grade){salt}",
        "post_context": ["    return lesson", ""],
        "in_app": True,
        "vars": variables,
    }


def _crumb(index: int, salt: str) -> dict[str, Any]:
    return {
        "type": "default",
        "category": "query" if index % 2 else "request",
        "message": (
            f'SELECT "lessons_lesson"."id", "lessons_lesson"."subject" FROM "lessons_lesson" '
            f'WHERE "lessons_lesson"."owner_id" = %s LIMIT 21{salt}'
            if index % 2
            else f"GET /api/v1/content/{index} -> 200{salt}"
        ),
        "level": "info",
        "timestamp": "2026-01-01T00:00:00.000000Z",
        "data": {"status_code": 200, "duration_ms": 4.2} if index % 2 == 0 else {},
    }


def _request(salt: str, body_bytes: int) -> dict[str, Any]:
    request: dict[str, Any] = {
        "url": "http://toolbox.example.com/api/v1/content/generate",
        "method": "POST",
        "query_string": f"draft=1&page=2{salt}",
        "headers": {
            "Host": "toolbox.example.com",
            "User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0{salt}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": "[Filtered]",
            "X-Request-Id": f"req-{salt or 'x'}",
        },
        "env": {"SERVER_NAME": "toolbox.example.com", "SERVER_PORT": "443"},
    }
    if body_bytes:
        objective = f"Describe how the water cycle moves water around the planet{salt}"
        sections: list[dict[str, Any]] = []
        while len(json.dumps(sections)) < body_bytes:
            n = len(sections)
            sections.append(
                {
                    "heading": f"Part {n}: evaporation and condensation{salt}",
                    "body": f"{objective}. The sun warms the sea and water rises as vapour {n}. "
                    * 8,
                    "vocabulary": [{"term": f"vapour{n}", "definition": f"water as a gas{salt}"}],
                }
            )
        request["data"] = {"subject": "science", "grade_level": 7, "sections": sections}
    else:
        request["data"] = {
            "subject": "science",
            "grade_level": 7,
            "learning_objectives": [f"Describe the water cycle{salt}"],
        }
    return request


def error_event(salt: str = "", *, large: bool = False) -> dict[str, Any]:
    frames = [_frame(i, salt, big_locals=large) for i in range(8 if large else 4)]
    return {
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "level": "error",
        "platform": "python",
        "timestamp": "2026-01-01T00:00:00.000000Z",
        "release": "1.0.0",
        "environment": "production",
        "server_name": "web-1",
        "request": _request(salt, LARGE_BYTES // 2 if large else 0),
        "exception": {
            "values": [
                {
                    "type": "ProviderError",
                    "value": f"provider answered 502 for lesson science/7{salt}",
                    "module": "providers.errors",
                    "mechanism": {"type": "django", "handled": False},
                    "stacktrace": {"frames": frames},
                }
            ]
        },
        "breadcrumbs": {"values": [_crumb(i, salt) for i in range(100 if large else 8)]},
        "user": {"id": "42", "role": "teacher", "permissions": []},
        "tags": {"request_id": f"req{salt}", "component": "lessons", "user.role": "teacher"},
        "contexts": {
            "trace": {"trace_id": "a" * 32, "span_id": "b" * 16, "op": "http.server"},
            "request_details": {
                "request_id": f"req{salt}",
                "method": "POST",
                "route": "/api/v1/content/generate",
                "user_agent": f"Mozilla/5.0{salt}",
                "query": {"draft": ["1"]},
            },
            "application": {"process_id": 1234, "environment": "production", "debug": False},
            "runtime": {"name": "CPython", "version": "3.11.7"},
        },
        "extra": {"sys.argv": ["gunicorn", "toolbox.wsgi"]},
    }


def _sql(index: int, salt: str) -> str:
    columns = ", ".join(
        f'"lessons_lesson"."{name}"'
        for name in ("id", "owner_id", "subject", "grade_level", "content_type", "complexity")
    )
    return (
        f'SELECT {columns} FROM "lessons_lesson" WHERE ("lessons_lesson"."owner_id" = %s OR '
        f'"lessons_lesson"."id" IN (SELECT U0."lesson_id" FROM "lessons_publication" U0 WHERE '
        f'U0."classroom_id" IN (%s)))  ORDER BY "lessons_lesson"."id" DESC LIMIT {index % 20 + 1}'
        f"{salt}"
    )


def transaction_event(salt: str = "", *, spans: int = 7) -> dict[str, Any]:
    return {
        "type": "transaction",
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "transaction": "/api/v1/content",
        "transaction_info": {"source": "route"},
        "platform": "python",
        "timestamp": "2026-01-01T00:00:00.010000Z",
        "start_timestamp": "2026-01-01T00:00:00.000000Z",
        "release": "1.0.0",
        "environment": "production",
        "request": {
            "url": "http://toolbox.example.com/api/v1/content",
            "method": "GET",
            "query_string": f"limit=20&offset=0{salt}",
            "headers": {
                "Host": "toolbox.example.com",
                "User-Agent": f"python-httpx/0.28.1{salt}",
                "Authorization": "[Filtered]",
            },
            "env": {"SERVER_NAME": "toolbox.example.com", "SERVER_PORT": "443"},
        },
        "contexts": {
            "trace": {
                "trace_id": "a" * 32,
                "span_id": "b" * 16,
                "op": "http.server",
                "status": "ok",
                "data": {"http.response_time_ms": 4.8, "http.response.status_code": 200},
            },
            "request_details": {
                "request_id": f"req{salt}",
                "method": "GET",
                "route": "/api/v1/content",
                "user_agent": "python-httpx/0.28.1",
                "query": {"limit": ["20"]},
            },
            "application": {"process_id": 1234, "environment": "production", "debug": False},
        },
        "tags": {"request_id": f"req{salt}", "user.role": "teacher", "http.status_code": "200"},
        "user": {"id": "42", "role": "teacher", "permissions": []},
        "spans": [
            {
                "trace_id": "a" * 32,
                "span_id": f"{index:016x}",
                "parent_span_id": "b" * 16,
                "op": "db",
                "description": _sql(index, salt),
                "origin": "auto.db.django",
                "start_timestamp": "2026-01-01T00:00:00.001000Z",
                "timestamp": "2026-01-01T00:00:00.002000Z",
                "data": {
                    "thread.id": "140665105509248",
                    "thread.name": "MainThread",
                    "db.system": "postgresql",
                    "db.name": "toolbox",
                    "server.address": "db",
                    "server.port": 5432,
                },
            }
            for index in range(spans)
        ],
    }


def breadcrumb(salt: str = "") -> dict[str, Any]:
    return _crumb(1, salt)


def log_item(salt: str = "") -> dict[str, Any]:
    return {
        "timestamp": 1767225600.0,
        "level": "info",
        "body": f"lesson generated for subject science grade 7{salt}",
        "attributes": {
            "sentry.message.template": "lesson generated for subject %s grade %s",
            "sentry.message.parameter.0": f"science{salt}",
            "sentry.message.parameter.1": 7,
            "logger.name": "lessons.services",
            "request_id": f"req{salt}",
            "user_id": "42",
        },
    }


# --- timing -------------------------------------------------------------------------------------


def size_of(event: dict[str, Any]) -> int:
    return len(json.dumps(event, default=str).encode())


def measure(
    hook: Callable[[Any, Any], Any],
    build: Callable[[str], dict[str, Any]],
    *,
    unique: bool,
    runs: int,
) -> list[float]:
    """Microseconds per call; the events are prepared (deep copies) before the clock starts."""
    hook(build("-warm"), {})  # first call: regexes compiled, caches of key names filled
    template = build("")
    run_id = letters(time.perf_counter_ns())
    events = [build(f"-{run_id}-{letters(n)}") if unique else copy.deepcopy(template)
              for n in range(runs)]  # fmt: skip
    gc.collect()
    samples = []
    for event in events:
        started = time.perf_counter_ns()
        result = hook(event, {})
        samples.append((time.perf_counter_ns() - started) / 1000)
        if result is None:
            raise AssertionError("the hook dropped the event: it could not be scrubbed")
    return samples


def letters(number: int) -> str:
    """``number`` written in letters: a salt that no pattern mistakes for a card or phone number."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out += chr(ord("a") + digit)
        if not number:
            return out


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * fraction))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few runs: a smoke test")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    from monitoring.scrubbing import make_hooks

    hooks = make_hooks(send_default_pii=False)
    small_runs, large_runs = (50, 5) if args.quick else (2000, 60)
    cases = [
        ("Error event, small", "before_send", lambda s: error_event(s), small_runs),
        ("Error event, large (100 KB body, big locals, 100 crumbs)", "before_send",
         lambda s: error_event(s, large=True), large_runs),
        ("Transaction, 7 db spans", "before_send_transaction",
         lambda s: transaction_event(s), small_runs),
        ("Transaction, large (220 db spans)", "before_send_transaction",
         lambda s: transaction_event(s, spans=220), large_runs),
        ("Breadcrumb", "before_breadcrumb", breadcrumb, small_runs * 5),
        ("Log item", "before_send_log", log_item, small_runs * 5),
    ]  # fmt: skip
    rows = []
    data = []
    for label, hook_name, build, runs in cases:
        size = size_of(build(""))
        figures = {}
        for unique in (False, True):
            samples = measure(hooks[hook_name], build, unique=unique, runs=runs)
            figures[unique] = (statistics.median(samples), percentile(samples, 0.95))
        median_unique = figures[True][0]
        throughput = size / median_unique if median_unique else 0.0  # bytes/µs = MB/s
        rows.append(
            f"| {label} | {size / 1000:.1f} KB | {runs} | {figures[False][0]:.0f} "
            f"| {figures[False][1]:.0f} | {figures[True][0]:.0f} | {figures[True][1]:.0f} "
            f"| {throughput:.1f} |"
        )
        data.append(
            {
                "case": label,
                "hook": hook_name,
                "bytes": size,
                "runs": runs,
                "repeated_median_us": figures[False][0],
                "repeated_p95_us": figures[False][1],
                "unique_median_us": figures[True][0],
                "unique_p95_us": figures[True][1],
            }
        )
        print(rows[-1], file=sys.stderr, flush=True)

    info = machine()
    lines = [
        "# Scrubbing cost per event",
        "",
        *machine_markdown(info),
        "",
        "The `before_send*` hooks of `monitoring.scrubbing.make_hooks(send_default_pii=False)`, "
        "in one process. Microseconds per call. *Repeated*: the same event each time (strings "
        "that recur between events hit the cache of clean strings, as in production); "
        "*unique*: every string new (nothing cached). MB/s: event JSON per second, unique.",
        "",
        "| Case | Size | Runs | Repeated median µs | p95 | Unique median µs | p95 | MB/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Total benchmark time: {time.perf_counter() - started:.0f} s",
    ]
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    if not args.quick:
        write_results("scrubber", markdown, {"machine": info, "cases": data})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
