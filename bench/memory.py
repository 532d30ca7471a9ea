"""Worker memory under sustained traffic: RSS after 5,000 and after 50,000 requests.

    .venv/bin/python bench/memory.py            # 50,000 requests, about 4-6 minutes
    .venv/bin/python bench/memory.py --quick    # 2,000 / 8,000 requests: a smoke run, ~1 min

One gunicorn sync worker with our whole stack at the production default (traces 0.1, profiling
off, logs on), Sentry pointed at a loopback receiver. wrk (one connection) sends a mix that
exercises the monitoring layer's caches and rings: the lesson list with varying offsets and a
query parameter that never repeats (new strings for the scrubber's caches, new request ids), the
Sentry status, and unknown paths (404s, logged as client errors). The worker's ``VmRSS``
(``/proc/<pid>/status``) is read after about ``--early`` requests and again up to
``--requests`` (wrk runs for a duration: the counts are what it saw answered, a little over the
targets); the target is growth within 5%. Prints a Markdown table and writes it to
``bench/results/``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    MONITORING_TOKEN,
    access_token,
    base_environment,
    counting_receiver,
    cpu_seconds,
    machine,
    machine_markdown,
    prepare_database,
    rss_kib,
    seed_lessons,
    start_server,
    use_app_root,
    write_results,
)
from bench.wrk import require_wrk

# One request in ten of each kind in turn: 7 lesson lists, 2 status, 1 unknown path.
MIX_SCRIPT = """
local token, monitoring = "{token}", "{monitoring}"
local counter = {start}
request = function()
  counter = counter + 1
  local kind = counter % 10
  if kind < 7 then
    return wrk.format("GET", "/api/v1/content?limit=20&offset=" .. (counter % 7)
      .. "&q=" .. counter, {{["Authorization"] = "Bearer " .. token}})
  elseif kind < 9 then
    return wrk.format("GET", "/sentry/status", {{["Authorization"] = "Bearer " .. monitoring}})
  else
    return wrk.format("GET", "/api/v1/nowhere/" .. counter)
  end
end
"""


def drive(url: str, script: Path, requests: int, served: int, token: str) -> tuple[int, float]:
    """Send about ``requests`` requests of the mix (one connection, wrk runs for a duration, so
    in steps sized from the rate seen so far); returns (answered, seconds)."""
    import subprocess

    from bench.wrk import parse_wrk

    answered, seconds, rate = 0, 0.0, 0.0
    while answered < requests:
        left = requests - answered
        duration = 2.0 if not rate else min(30.0, max(1.0, left / rate))
        script.write_text(
            MIX_SCRIPT.format(token=token, monitoring=MONITORING_TOKEN, start=served + answered)
        )
        result = subprocess.run(
            ["wrk", "-t1", "-c1", f"-d{round(duration)}s", "--latency", "-s", str(script), url],
            capture_output=True,
            text=True,
            timeout=duration + 60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
        run = parse_wrk(result.stdout)
        answered += run.requests
        seconds += run.seconds
        rate = answered / seconds
    return answered, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--early", type=int, default=5_000, help="first reading after this many")
    parser.add_argument("--requests", type=int, default=50_000, help="last reading after this many")
    parser.add_argument("--readings", type=int, default=5, help="readings between early and last")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--app-root", help="run the server from this copy of the project")
    parser.add_argument("--quick", action="store_true", help="2,000 / 8,000 requests")
    args = parser.parse_args(argv)
    if args.quick:
        args.early, args.requests, args.readings = 2_000, 8_000, 3
    require_wrk()
    use_app_root(args.app_root)
    started = time.perf_counter()
    receiver = counting_receiver()
    readings: list[tuple[int, int, float]] = []  # (requests, rss KiB, seconds so far)
    with tempfile.TemporaryDirectory(prefix="toolbox-bench-") as tmp:
        work = Path(tmp)
        server = None
        try:
            database_url = prepare_database(work, args.database_url)
            env = {**base_environment(database_url, work), "SENTRY_DSN": receiver.dsn}
            server = start_server("memory", work, env, workers=1)
            (pid,) = server.worker_pids()
            token = access_token(server.url)
            seed_lessons(server.url, token, count=5)
            script = work / "mix.lua"
            served, clock, cpu_before = 0, 0.0, cpu_seconds([pid])
            step = (args.requests - args.early) / max(1, args.readings)
            targets = [args.early + round(step * n) for n in range(args.readings + 1)]
            for target in targets:
                answered, seconds = drive(server.url, script, target - served, served, token)
                served += answered
                clock += seconds
                time.sleep(1.0)  # the sender thread empties its queue
                readings.append((served, rss_kib(pid), clock))
                print(
                    f"{served:>7} requests: VmRSS {readings[-1][1] / 1024:.1f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
            if server.worker_pids() != [pid]:
                raise RuntimeError("the worker was restarted during the run")
            cpu_used = cpu_seconds([pid]) - cpu_before
        finally:
            if server is not None:
                server.stop()
            receiver.stop()
    counts = receiver.take()

    first, last = readings[0], readings[-1]
    growth = last[1] / first[1] - 1
    info = machine()
    lines = [
        "# Worker memory under sustained traffic",
        "",
        *machine_markdown(info),
        "",
        "One gunicorn sync worker, our whole stack at traces 0.1 (production default), logs on, "
        "profiling off, Sentry on a loopback receiver. Mix per 10 requests: 7 lesson lists "
        "(JWT, varying offset, a query parameter that never repeats), 2 `/sentry/status`, "
        "1 unknown path (404).",
        "",
        "| Requests served | Worker VmRSS MiB | vs first reading | Elapsed s |",
        "|---:|---:|---:|---:|",
        *(
            f"| {served:,} | {rss / 1024:.1f} | {rss / first[1] - 1:+.1%} | {seconds:.0f} |"
            for served, rss, seconds in readings
        ),
        "",
        f"RSS after {last[0]:,} requests is {growth:+.1%} from after {first[0]:,}: "
        f"target (within 5%) {'met' if abs(growth) <= 0.05 else 'missed'}. "
        f"Worker CPU {cpu_used * 1e6 / max(1, last[0]):.0f} µs per request; "
        f"{counts.get('transaction', 0):,} transactions reached the receiver.",
        "",
        f"Total benchmark time: {time.perf_counter() - started:.0f} s",
    ]
    markdown = "\n".join(lines) + "\n"
    print(markdown)
    if not args.quick:
        write_results(
            "memory",
            markdown,
            {
                "machine": info,
                "readings": [
                    {"requests": s, "vmrss_kib": r, "elapsed_s": t} for s, r, t in readings
                ],
                "growth": growth,
                "receiver_counts": counts,
            },
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
