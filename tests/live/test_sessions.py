"""An open socket's limits: frames are rate limited, and a session ends with its token or with
the user's access (logout, deactivation, a student removed from the class)."""

from __future__ import annotations

import asyncio
import time

import pytest
import sentry_sdk
from channels.db import database_sync_to_async
from django.db import OperationalError

from accounts import services as account_services
from accounts import tokens
from jobs.models import GenerationJob, JobKind
from live import protocol
from live.consumers import base
from tests.support.api import classroom_with
from tests.support.live import closed_with, receive, run, send, socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

RECHECK_SECONDS = 0.2


@pytest.fixture
def quick_rechecks(monkeypatch):
    monkeypatch.setattr(protocol, "SESSION_RECHECK_SECONDS", RECHECK_SECONDS)


def job_of(owner) -> GenerationJob:
    return GenerationJob.objects.create(owner=owner, kind=JobKind.LESSON, params={})


async def opened(path: str, user, **kwargs):
    ws = socket(path, user, **kwargs)
    connected, _ = await ws.connect(timeout=10)
    assert connected
    assert (await receive(ws))["type"] == "ready"
    return ws


async def drain(ws, seconds: float = 0.3) -> list[dict]:
    """The frames sent until none comes for ``seconds``."""
    frames = []
    while not await ws.receive_nothing(timeout=seconds):
        frames.append(await receive(ws))
    return frames


async def close_reason(ws) -> tuple[int, str]:
    while True:
        output = await ws.receive_output(10)
        if output["type"] == "websocket.close":
            return output.get("code", 1000), output.get("reason", "")


# --- rate limit -----------------------------------------------------------------------------------


def test_rate_limit__a_burst_is_served_then_frames_over_it_are_dropped_with_one_error(teacher):
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)
        await drain(ws)  # the snapshot
        for _ in range(protocol.FRAME_BURST + 10):
            await send(ws, {"type": "ping"})
        frames = await drain(ws)
        types = [frame["type"] for frame in frames]
        # Refilled at 10 frames/s while the frames arrive: a few more than the burst get through.
        assert protocol.FRAME_BURST <= types.count("pong") < protocol.FRAME_BURST + 5
        errors = [frame for frame in frames if frame["type"] == "error"]
        assert [error["code"] for error in errors] == ["rate_limited"]
        assert "at most 10 per second" in errors[0]["detail"]

        await asyncio.sleep(0.25)  # the budget refills: the socket is usable again
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


def test_rate_limit__a_client_that_keeps_flooding_is_closed_with_1008(teacher):
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)
        for _ in range(protocol.FRAME_BURST + protocol.MAX_REFUSED_FRAMES + 10):
            await send(ws, {"type": "ping"})
        assert await close_reason(ws) == (protocol.POLICY_VIOLATION, "Too many messages")

    run(scenario)


def test_rate_limit__applies_before_authentication(teacher):
    job = job_of(teacher)

    async def scenario():
        ws = socket(f"/ws/jobs/{job.pk}/")
        connected, _ = await ws.connect(timeout=10)
        assert connected
        for _ in range(protocol.FRAME_BURST + protocol.MAX_REFUSED_FRAMES + 10):
            await send(ws, "not json")
        assert await closed_with(ws) == protocol.POLICY_VIOLATION

    run(scenario)


# --- sessions -------------------------------------------------------------------------------------


def test_session__the_socket_closes_when_its_access_token_expires(teacher, settings):
    settings.JWT_ACCESS_TTL = 2  # "exp" is whole seconds: 1 to 2 s from now
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)
        started = time.monotonic()
        assert await close_reason(ws) == (protocol.UNAUTHENTICATED, "Access token expired")
        assert time.monotonic() - started < 2.5

    run(scenario)


def test_session__a_logout_closes_the_sockets_of_that_token(teacher, quick_rechecks):
    job = job_of(teacher)
    access = tokens.issue_pair(teacher.pk, teacher.role).access

    async def scenario():
        protocols = ["toolbox.v1", f"bearer.{access}"]
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher, subprotocols=protocols)
        other = await opened(f"/ws/jobs/{job.pk}/", teacher)  # another login: stays open
        await drain(ws)
        await drain(other)
        claims = tokens.decode(access, tokens.ACCESS)
        await database_sync_to_async(account_services.token_family_revoke)(family_id=claims["fam"])
        assert await close_reason(ws) == (protocol.UNAUTHENTICATED, "Access token revoked")
        await send(other, {"type": "ping"})
        assert await receive(other) == {"type": "pong"}
        await other.disconnect()

    run(scenario)


def test_session__a_deactivated_user_is_disconnected(teacher, quick_rechecks):
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)
        teacher.is_active = False
        await database_sync_to_async(teacher.save)(update_fields=["is_active"])
        assert await close_reason(ws) == (protocol.UNAUTHENTICATED, "User inactive")

    run(scenario)


def test_session__a_student_removed_from_the_class_is_disconnected(
    teacher, student, quick_rechecks
):
    classroom = classroom_with(teacher, student)

    async def scenario():
        ws = await opened(f"/ws/classrooms/{classroom.pk}/", student)
        await send(ws, {"type": "ping"})
        assert (await drain(ws))[-1] == {"type": "pong"}
        await database_sync_to_async(classroom.students.remove)(student)
        code, _ = await close_reason(ws)
        assert code == protocol.FORBIDDEN

    run(scenario)


def test_session__a_student_removed_by_the_teacher_is_disconnected_at_once(teacher, student):
    """No quick rechecks: the removal itself closes the socket, well before the periodic check."""
    classroom = classroom_with(teacher, student)

    async def scenario():
        ws = await opened(f"/ws/classrooms/{classroom.pk}/", student)
        owner = await opened(f"/ws/classrooms/{classroom.pk}/", teacher)
        removed = await database_sync_to_async(account_services.classroom_student_remove)(
            classroom=classroom, student_id=student.pk
        )
        assert removed
        started = time.monotonic()
        code, _ = await close_reason(ws)
        assert code == protocol.FORBIDDEN
        assert time.monotonic() - started < protocol.SESSION_RECHECK_SECONDS / 2
        await send(owner, {"type": "ping"})  # the teacher's socket on the class stays open
        assert (await drain(owner))[-1] == {"type": "pong"}

    run(scenario)


async def until(condition, what: str, timeout: float = 10) -> None:
    """Poll ``condition()`` until it holds (or fail after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        await asyncio.sleep(RECHECK_SECONDS / 4)


def test_session__an_open_session_is_left_alone(teacher, quick_rechecks, monkeypatch):
    checks = []
    session_ended = base.session_ended_async

    async def counted(identity):
        ended = await session_ended(identity)
        checks.append(ended)
        return ended

    monkeypatch.setattr(base, "session_ended_async", counted)
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)
        await until(lambda: len(checks) >= 3, "three checks")  # several checks
        await drain(ws)
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


def test_session__a_failing_check_keeps_the_socket_and_sends_no_event(
    teacher, quick_rechecks, monkeypatch, sentry_receiver
):
    checks = []

    async def database_down(identity):
        checks.append(identity.user.pk)
        raise OperationalError("connection refused")

    monkeypatch.setattr(base, "session_ended_async", database_down)
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)
        await until(lambda: len(checks) >= 2, "two checks")
        await drain(ws)
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)
    assert len(checks) >= 2
    sentry_sdk.flush(2)
    assert sentry_receiver.events == []


def test_session__a_password_change_disconnects_the_users_sockets(teacher, quick_rechecks):
    job = job_of(teacher)

    async def scenario():
        ws = await opened(f"/ws/jobs/{job.pk}/", teacher)

        def change_password():
            teacher.set_password("a-new-password-for-ms-frizzle")
            teacher.save()

        await database_sync_to_async(change_password)()
        assert await close_reason(ws) == (protocol.UNAUTHENTICATED, "Access token revoked")

    run(scenario)
