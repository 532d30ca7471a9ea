"""The WebSocket benchmark's report of interleaved pairs: pooled sides, each pair's ratio, CPU."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    # By path: the file is named after the websockets library and must not shadow it.
    spec = importlib.util.spec_from_file_location("bench_websockets", ROOT / "bench/websockets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_run(sentry: bool, delivery: list[float], cpu: list[float]) -> dict:
    return {
        "sentry": sentry,
        "counted": {"transaction": 3} if sentry else {},
        "delivery_ms": delivery,
        "publish_ms": [10.0, 20.0],
        "connect_ms": [1.0, 2.0],
        "cpu_ms": cpu,
    }


def test_compare__pools_each_side_and_ratios_pairs_in_the_order_they_ran(bench):
    args = argparse.Namespace(sockets=2, rounds=2, workers=2, layer="redis", pairs=2, postgres=None)
    runs = [
        fake_run(False, [100.0] * 20, [300.0, 300.0]),
        fake_run(True, [110.0] * 20, [330.0, 330.0]),
        fake_run(True, [150.0] * 20, [330.0, 330.0]),  # the second pair ran on-off
        fake_run(False, [200.0] * 20, [300.0, 300.0]),
    ]
    report = bench.compare(args, runs, "2026-12-06 19:00-19:10 UTC")

    # Pooled p95: on (110 x20, 150 x20) -> 150; off (100 x20, 200 x20) -> 200.
    assert "Sentry on 150.0 ms, off 200.0 ms: **0.75x**" in report
    assert "Each pair's p95 ratio: 1.10x, 0.75x (median 0.93x)" in report
    assert "on 330.0 ms, off 300.0 ms: **1.10x**" in report
    assert "{'transaction': 6}" in report
    assert "| 3 | on | 150.0 | 330.0 |" in report
    assert "2026-12-06 19:00-19:10 UTC" in report
    assert "redis channel layer, SQLite;" in report


def test_run_summary__keeps_figures_not_samples(bench):
    summary = bench.run_summary(fake_run(True, [float(i) for i in range(1, 101)], [5.0, 7.0]))
    assert summary["delivery_ms"]["samples"] == 100
    assert summary["delivery_ms"]["p50"] == 50.5
    assert summary["delivery_ms"]["max"] == 100.0
    assert summary["cpu_ms_per_publish"] == 6.0
    assert "cpu_ms" not in summary


def test_run_database__sqlite_by_default_or_a_fresh_postgres_database_dropped_after(
    bench, tmp_path
):
    with bench.run_database(None, tmp_path) as url:
        assert url == f"sqlite:///{tmp_path / 'bench.sqlite3'}"

    from tests.faults.support import postgres_available, postgres_settings

    if not postgres_available():
        pytest.skip("no PostgreSQL")
    import psycopg

    database = postgres_settings()
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    server = f"postgres://{database['USER']}@{host}:{port}"
    with bench.run_database(server, tmp_path) as url:
        name = url.rsplit("/", 1)[1]
        assert url.startswith(server + "/toolbox_bench_ws_")
        with psycopg.connect(url) as connection:  # it exists, and is empty
            assert connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone() == (0,)
    with psycopg.connect(f"{server}/postgres") as admin:
        assert (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            is None
        )
