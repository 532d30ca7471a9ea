"""A dead worker's metric files: its max gauges folded into one file, nothing reported changes.

Workers are real processes writing prometheus-client's files; the last test kills a worker of a
real gunicorn server (whose ``child_exit`` does the folding) and reads ``/sentry/status``.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from monitoring.multiproc import RETIRED, retire_worker
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import ServerDatabase, in_another_worker, start_gunicorn

RECORD = "import os\nfrom monitoring.metrics import delivery\n{calls}\nprint(os.getpid())"

READ = (
    "import django, json\ndjango.setup()\n"
    "from monitoring.metrics.delivery import current_delivery\n"
    "d = current_delivery()\n"
    "print(json.dumps([d.last_success_at, d.last_failure_at, d.rate_limited_until]))"
)


def last_line(directory: Path, code: str) -> str:
    return in_another_worker(directory, code).strip().splitlines()[-1]


def worker_that(directory: Path, *calls: str) -> int:
    return int(last_line(directory, RECORD.format(calls="\n".join(calls))))


def delivery_seen(directory: Path) -> list:
    return json.loads(last_line(directory, READ))


def files(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


def test_retire_worker__folds_max_gauges_into_one_file_and_reports_the_same(tmp_path):
    succeeded = worker_that(tmp_path, "delivery.record_success()")
    failed = worker_that(tmp_path, "delivery.record_failure()", "delivery.record_failure()")
    before = delivery_seen(tmp_path)
    assert all(before[:2])

    retire_worker(succeeded, str(tmp_path))
    retire_worker(failed, str(tmp_path))

    left = files(tmp_path)
    assert f"gauge_max_{RETIRED}.db" in left
    for pid in (succeeded, failed):
        assert not {name for name in left if name.startswith("gauge_") and f"_{pid}." in name}
    assert not [name for name in left if name.endswith(".partial")]
    assert delivery_seen(tmp_path) == before

    # A later worker's newer success wins in the folded file; an older failure does not.
    time.sleep(0.01)
    later = worker_that(tmp_path, "delivery.record_success()")
    retire_worker(later, str(tmp_path))
    after = delivery_seen(tmp_path)
    assert after[0] > before[0]
    assert after[1] == before[1]
    assert f"gauge_max_{later}.db" not in files(tmp_path)


def test_retire_worker__a_torn_file_is_kept_and_nothing_fails(tmp_path, caplog):
    worker = worker_that(tmp_path, "delivery.record_success()")
    retire_worker(worker, str(tmp_path))
    folded = (tmp_path / f"gauge_max_{RETIRED}.db").read_bytes()
    torn = tmp_path / "gauge_max_4242.db"
    # Claims 4 KB used and holds a key length pointing past its end: a worker killed mid-write.
    torn.write_bytes((4096).to_bytes(4, "little") + b"\0" * 4 + (9999).to_bytes(4, "little"))

    retire_worker(4242, str(tmp_path))

    assert torn.exists()
    assert (tmp_path / f"gauge_max_{RETIRED}.db").read_bytes() == folded
    assert not [name for name in files(tmp_path) if name.endswith(".partial")]
    assert "metrics of worker 4242 not folded" in caplog.text


@pytest.mark.slow
def test_gunicorn__a_killed_workers_files_are_folded_and_status_reports_the_same(
    tmp_path, django_db_setup
):
    from django.conf import settings

    database = ServerDatabase(tmp_path, settings.DATABASES["default"])
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    receiver = SentryReceiver().start()
    server = start_gunicorn(
        tmp_path,
        {
            "DATABASE_URL": database.url,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "SENTRY_DSN": receiver.dsn,
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",
            "LOG_FILE": "",
        },
        workers=2,
    )
    try:
        # Every worker sends (a sampled transaction each): each records a success.
        deadline = time.monotonic() + 30
        while len(workers_with_gauges(metrics)) < 2 or not all_sent(server):
            assert time.monotonic() < deadline, server.log()
            server.get("/api/v1/quizzes")
        before = server.get("/sentry/status").json()["delivery"]["last_success_at"]
        victim = min(workers_with_gauges(metrics))

        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while f"gauge_max_{victim}.db" in files(metrics):
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.1)

        assert f"gauge_max_{RETIRED}.db" in files(metrics)
        assert victim not in workers_with_gauges(metrics)
        after = server.get("/sentry/status").json()["delivery"]["last_success_at"]
        assert after >= before
    finally:
        server.stop()
        receiver.stop()
        database.drop()


def workers_with_gauges(metrics: Path) -> set[int]:
    names = (name.removeprefix("gauge_max_").removesuffix(".db") for name in files(metrics))
    return {int(name) for name in names if name.isdigit()}


def all_sent(server) -> bool:
    return server.get("/sentry/status").json()["delivery"]["last_success_at"] is not None
