"""monitoring.guards.when_sentry_active: a hook runs only while Sentry is on, decided per call.

The hooks are decorated at import, long before ``init_sentry`` runs (and the admin can switch
Sentry on and off at run time), so these tests switch the SDK under an already-decorated
function and watch what reaches a real loopback receiver.
"""

import asyncio
import contextlib
from pathlib import Path

import sentry_sdk

from monitoring.guards import when_sentry_active
from tests.support.sentry_receiver import SentryReceiver
from tests.support.servers import run_python


@when_sentry_active()
def report(message: str) -> str:
    """Send ``message`` to Sentry."""
    return sentry_sdk.capture_message(message)


@when_sentry_active(fallback=lambda message: f"not sent: {message}")
def report_or_say_why(message: str) -> str:
    return sentry_sdk.capture_message(message)


async def _not_sent(message: str) -> str:
    await asyncio.sleep(0)
    return f"not sent: {message}"


@when_sentry_active(fallback=_not_sent)
async def report_later(message: str) -> str:
    await asyncio.sleep(0)
    return sentry_sdk.capture_message(message)


def _nothing_yielded(message: str):
    yield None


@contextlib.contextmanager
@when_sentry_active(fallback=_nothing_yielded)
def reporting(message: str):
    yield sentry_sdk.capture_message(message)


def test_when_sentry_active__without_sentry_the_hook_does_not_run(configure_sentry):
    configure_sentry("development", dsn="")
    receiver = SentryReceiver().start()
    try:
        assert report("while off") is None
        assert report_or_say_why("while off") == "not sent: while off"
        assert asyncio.run(report_later("while off")) == "not sent: while off"
        with reporting("while off") as event_id:
            assert event_id is None
        # Switched on after the functions were decorated: the next calls send.
        configure_sentry("development", dsn=receiver.dsn)
        event_id = report("once on")
        sentry_sdk.flush()
        events = receiver.wait_for(lambda r: r.events)
        assert [event["event_id"] for event in events] == [event_id]
        assert b"while off" not in receiver.raw_bytes
    finally:
        receiver.stop()


def test_when_sentry_active__with_sentry_every_kind_of_hook_runs(sentry_receiver):
    sent = [
        report("sync"),
        report_or_say_why("with fallback"),
        asyncio.run(report_later("async")),
    ]
    with reporting("context manager") as event_id:
        sent.append(event_id)
    assert all(isinstance(event_id, str) and len(event_id) == 32 for event_id in sent)
    sentry_sdk.flush()
    sentry_receiver.wait_for(lambda r: len(r.events) >= len(sent))
    assert {event["event_id"] for event in sentry_receiver.events} == set(sent)


def test_when_sentry_active__keeps_the_hooks_name_docstring_and_kind():
    assert report.__name__ == "report"
    assert report.__doc__ == "Send ``message`` to Sentry."
    assert asyncio.iscoroutinefunction(report_later)
    assert not asyncio.iscoroutinefunction(report)


CAPTURE_WITH_A_LAZY_QUERYSET = """
import django
django.setup()
import sentry_sdk
from django.db import connection
from accounts.models import User
from monitoring.facade import capture_exception

attempts = []

def count(execute, sql, params, many, context):
    attempts.append(sql)
    return execute(sql, params, many, context)

def failing():
    students = User.objects.filter(role="student")  # noqa: F841  (lazy, never evaluated here)
    raise RuntimeError("boom")

with connection.execute_wrapper(count):
    for capture in (capture_exception, sentry_sdk.capture_exception):
        before = len(attempts)
        try:
            failing()
        except RuntimeError as exc:
            capture(exc)
        print(len(attempts) - before)
"""


def test_capture_exception__with_sentry_off_builds_no_event_and_runs_no_query(tmp_path):
    # A process of its own, Sentry never initialised: sentry-sdk's guard against a QuerySet's
    # repr (its Django integration's) is not set up, as in a server without a DSN.
    result = run_python(
        CAPTURE_WITH_A_LAZY_QUERYSET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        LOG_FILE="",
    )
    assert result.returncode == 0, result.stderr
    ours, sdk = result.stdout.split()[-2:]
    assert ours == "0"
    # What it avoids: the SDK serialised the frame's locals, and the QuerySet's repr queried.
    assert sdk == "1"


def test_capture_exception__the_apps_report_through_the_facade():
    root = Path(__file__).resolve().parents[2]
    skipped = {".venv", "tests", "bench", "node_modules"}
    callers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not skipped & set(path.relative_to(root).parts)
        and "sentry_sdk.capture_exception(" in path.read_text(errors="replace")
    )
    assert callers == ["monitoring/facade.py"]
