"""Sockets for the pages: the session cookie authenticates only from our own origin (no
cross-site WebSocket hijacking), and a student's score reaches the class's teacher, never the
other students."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.models import Role
from live import protocol
from live.routing import websocket_application
from tests.accounts.factories import make_user
from tests.classroom.support import class_of, quiz_of
from tests.support.live import closed_with, receive, receive_until, run, send, socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]


def session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def cookie_socket(path: str, key: str, origin: str | None, host: str = "testserver"):
    headers = [(b"host", host.encode()), (b"cookie", f"sessionid={key}".encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return WebsocketCommunicator(
        websocket_application, path, headers=headers, subprotocols=["toolbox.v1"]
    )


def test_session_socket__our_own_page_is_signed_in_with_its_cookie(teacher):
    classroom = class_of(teacher)
    key = session_key(teacher)

    async def scenario():
        ws = cookie_socket(f"/ws/classrooms/{classroom.pk}/", key, "http://testserver")
        assert (await ws.connect(timeout=10))[0]
        ready = await receive(ws)
        assert ready["type"] == "ready" and ready["user"] == {"id": teacher.pk, "role": "teacher"}
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "http://testserver.evil.example", "null", None],
    ids=["other-site", "look-alike", "null-origin", "no-origin"],
)
def test_session_socket__another_sites_page_gets_no_session(teacher, origin):
    """A page on another site opens a socket to us: the browser sends the user's cookie, but
    the socket stays unauthenticated and is closed at its first frame."""
    classroom = class_of(teacher)
    key = session_key(teacher)

    async def scenario():
        ws = cookie_socket(f"/ws/classrooms/{classroom.pk}/", key, origin)
        assert (await ws.connect(timeout=10))[0]
        await send(ws, {"type": "ping"})
        assert await closed_with(ws) == protocol.UNAUTHENTICATED

    run(scenario)


def test_session_socket__a_host_not_allowed_gets_no_session(teacher):
    """Origin and Host agree but name a host we do not serve (DNS rebinding)."""
    classroom = class_of(teacher)
    key = session_key(teacher)

    async def scenario():
        ws = cookie_socket(
            f"/ws/classrooms/{classroom.pk}/", key, "http://rebound.example", "rebound.example"
        )
        assert (await ws.connect(timeout=10))[0]
        await send(ws, {"type": "ping"})
        assert await closed_with(ws) == protocol.UNAUTHENTICATED

    run(scenario)


def test_session_socket__a_signed_out_session_is_refused(teacher):
    classroom = class_of(teacher)
    client = Client()
    client.force_login(teacher)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/classroom/sign-out/")

    async def scenario():
        ws = cookie_socket(f"/ws/classrooms/{classroom.pk}/", key, "http://testserver")
        assert (await ws.connect(timeout=10))[0]
        await send(ws, {"type": "ping"})
        assert await closed_with(ws) == protocol.UNAUTHENTICATED

    run(scenario)


def test_quiz_graded__reaches_the_teacher_and_not_the_other_students(teacher, student):
    classmate = make_user(Role.STUDENT)
    classroom = class_of(teacher, student, classmate)
    quiz = quiz_of(teacher, classroom)
    path = f"/ws/classrooms/{classroom.pk}/"

    def submit_through_the_page():
        client = Client()
        client.force_login(student)
        answers = {f"q{i}": str(q["correct_index"]) for i, q in enumerate(quiz.questions)}
        assert client.post(f"/classroom/quizzes/{quiz.pk}/submit/", answers).status_code == 302

    async def scenario():
        teacher_ws, classmate_ws = socket(path, teacher), socket(path, classmate)
        for ws in (teacher_ws, classmate_ws):
            assert (await ws.connect(timeout=10))[0]
            assert (await receive(ws))["type"] == "ready"
        await database_sync_to_async(submit_through_the_page)()
        frames = await receive_until(teacher_ws, lambda f: f["type"] == "quiz.graded")
        assert frames[-1] == {
            "type": "quiz.graded",
            "classroom_id": classroom.pk,
            "quiz_id": quiz.pk,
            "student_id": student.pk,
            "score": 3,
            "total": 3,
            "percentage": 100.0,
        }
        # The classmate's socket is alive (it answers a ping) and got nothing before it.
        await send(classmate_ws, {"type": "ping"})
        assert await receive(classmate_ws) == {"type": "pong"}
        for ws in (teacher_ws, classmate_ws):
            await ws.disconnect()

    run(scenario)


def test_quiz_graded__over_the_socket_also_reaches_the_teacher(teacher, student):
    classroom = class_of(teacher, student)
    quiz = quiz_of(teacher, classroom)
    path = f"/ws/classrooms/{classroom.pk}/"

    async def scenario():
        teacher_ws, student_ws = socket(path, teacher), socket(path, student)
        for ws in (teacher_ws, student_ws):
            assert (await ws.connect(timeout=10))[0]
            assert (await receive(ws))["type"] == "ready"
        await send(student_ws, {"type": "quiz.submit", "quiz_id": quiz.pk, "answers": [0, 0, 0]})
        reply = await receive(student_ws)
        assert reply["type"] == "quiz.graded" and "attempt" in reply
        pushed = await receive_until(teacher_ws, lambda f: f["type"] == "quiz.graded")
        assert pushed[-1]["student_id"] == student.pk
        # The student's own socket gets its reply only, not the staff push.
        await send(student_ws, {"type": "ping"})
        assert await receive(student_ws) == {"type": "pong"}
        for ws in (teacher_ws, student_ws):
            await ws.disconnect()

    run(scenario)
