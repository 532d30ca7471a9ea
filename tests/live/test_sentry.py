"""What sockets send to Sentry, checked on the loopback receiver."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from accounts.models import Role
from tests.accounts.factories import make_user
from tests.support.api import Api, classroom_with
from tests.support.envelopes import transaction_named
from tests.support.live import (
    access_token,
    closed_with,
    receive,
    run,
    send,
    socket,
)
from tests.support.sentry_receiver import SentryReceiver, relay_errors

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

QUIZ = {"subject": "mathematics", "grade_level": 4, "question_count": 2, "seed": 5}


def transactions_named(receiver: SentryReceiver, name: str) -> list[dict]:
    return [t for t in receiver.transactions if t["transaction"] == name]


def published_quiz(client, teacher, classroom) -> dict:
    api = Api(client, teacher)
    quiz = api.post("/api/v1/quizzes/generate", QUIZ).json()
    response = api.post(f"/api/v1/quizzes/{quiz['id']}/publish", {"classroom_id": classroom.pk})
    assert response.status_code == 200
    return quiz


def test_socket__each_message_is_its_own_transaction_with_user_and_component(
    sentry_receiver, teacher, student
):
    classroom = classroom_with(teacher, student)

    async def scenario():
        ws = socket(f"/ws/classrooms/{classroom.pk}/", student)
        await ws.connect(timeout=10)
        await receive(ws)
        for _ in range(3):
            await send(ws, {"type": "ping"})
            await receive(ws)
        await send(ws, "{broken")
        await receive(ws)
        await ws.disconnect(code=1000)

    run(scenario)
    pings = sentry_receiver.wait_for(
        lambda r: len(transactions_named(r, "ClassroomConsumer.ping")) == 3 and r
    )
    pings = transactions_named(sentry_receiver, "ClassroomConsumer.ping")
    assert len({t["contexts"]["trace"]["trace_id"] for t in pings}) == 3  # one trace each
    for transaction in pings:
        assert transaction["contexts"]["trace"]["op"] == "websocket.message"
        assert transaction["contexts"]["trace"]["status"] == "ok"
        assert transaction["tags"]["component"] == "websocket"
        assert transaction["tags"]["websocket.consumer"] == "ClassroomConsumer"
        assert transaction["tags"]["user.role"] == "student"
        assert transaction["user"]["id"] == str(student.pk)
        assert transaction["user"]["role"] == "student"
        assert "username" not in transaction["user"]
        assert relay_errors(transaction) == []
    invalid = sentry_receiver.wait_for(
        lambda r: transactions_named(r, "ClassroomConsumer.<invalid>")
    )
    assert invalid[0]["contexts"]["trace"]["op"] == "websocket.message"

    connect = transactions_named(sentry_receiver, "ClassroomConsumer.connect")[0]
    assert connect["contexts"]["trace"]["op"] == "websocket.connect"
    disconnect = sentry_receiver.wait_for(
        lambda r: transactions_named(r, "ClassroomConsumer.disconnect")
    )[0]
    data = disconnect["contexts"]["trace"]["data"]
    assert data["websocket.close_code"] == 1000
    assert data["websocket.duration_ms"] > 0
    assert disconnect["user"]["id"] == str(student.pk)
    # Nothing lasts as long as the connection: no transaction per socket.
    assert not [t for t in sentry_receiver.transactions if "server" in t["contexts"]["trace"]["op"]]


def test_socket__a_failing_handler_is_reported_and_the_socket_stays_usable(
    sentry_receiver, client, teacher, student, monkeypatch
):
    classroom = classroom_with(teacher, student)
    quiz = published_quiz(client, teacher, classroom)

    def broken(**kwargs):
        raise RuntimeError("grading backend unavailable")

    monkeypatch.setattr("quizzes.services.quiz_attempt_submit", broken)
    secret = "hunter2-very-secret"

    async def scenario():
        ws = socket(f"/ws/classrooms/{classroom.pk}/", student)
        await ws.connect(timeout=10)
        await receive(ws)
        submission = {"type": "quiz.submit", "quiz_id": quiz["id"], "answers": [0, 1]}
        await send(ws, {**submission, "password": secret})
        frame = await receive(ws)
        assert frame["type"] == "error" and frame["code"] == "internal_error"
        assert frame["message_type"] == "quiz.submit"
        assert "grading backend" not in frame["detail"]
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await ws.disconnect()
        return frame["event_id"]

    event_id = run(scenario)
    event = sentry_receiver.wait_for(lambda r: [e for e in r.events if e["event_id"] == event_id])[
        0
    ]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["component"] == "websocket"
    assert event["tags"]["error_category"] == "websocket"
    assert event["tags"]["websocket.message_type"] == "quiz.submit"
    assert event["tags"]["user.role"] == "student"
    assert event["user"]["id"] == str(student.pk)
    assert event["fingerprint"] == ["websocket", "websocket", "RuntimeError"]
    message = event["contexts"]["websocket_message"]
    assert message["type"] == "quiz.submit"
    assert message["payload"]["answers"] == [0, 1]
    assert message["payload"]["password"] == "[Filtered]"
    assert event["request"]["url"].endswith(f"/ws/classrooms/{classroom.pk}/")
    crumbs = [(c["category"], c["message"]) for c in event["breadcrumbs"]["values"]]
    assert ("websocket", "WebSocket connected") in crumbs
    assert ("auth", "Request authenticated") in crumbs
    assert relay_errors(event) == []
    assert secret.encode() not in sentry_receiver.raw_bytes

    failed = transactions_named(sentry_receiver, "ClassroomConsumer.quiz.submit")[0]
    assert failed["contexts"]["trace"]["status"] == "internal_error"
    assert failed["contexts"]["trace"]["trace_id"] == event["contexts"]["trace"]["trace_id"]


def test_socket__rejections_are_breadcrumbs_and_client_errors_by_policy(
    sentry_receiver, configure_sentry, teacher, student
):
    classroom = classroom_with(make_user(Role.TEACHER))

    async def refused():
        ws = socket(f"/ws/classrooms/{classroom.pk}/", student)
        await ws.connect(timeout=10)
        code = await closed_with(ws)
        await ws.disconnect(code=code)
        return code

    assert run(refused) == 4403
    event = sentry_receiver.wait_for(
        lambda r: [e for e in r.events if e["tags"].get("websocket.close_code") == "4403"]
    )[0]
    assert event["level"] == "warning"
    assert event["tags"]["component"] == "websocket"
    assert event["tags"]["error_category"] == "websocket"
    assert event["user"]["id"] == str(student.pk)
    crumb = next(c for c in event["breadcrumbs"]["values"] if c["message"] == "WebSocket rejected")
    assert crumb["data"]["code"] == 4403
    assert crumb["data"]["consumer"] == "ClassroomConsumer"
    assert relay_errors(event) == []
    disconnect = sentry_receiver.wait_for(
        lambda r: transactions_named(r, "ClassroomConsumer.disconnect")
    )[0]
    assert disconnect["contexts"]["trace"]["data"]["websocket.close_code"] == 4403

    # Production: a client error is a breadcrumb, a log line and a counter, not an event.
    production = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=production.dsn, traces_sample_rate=1.0)
        assert run(refused) == 4403
        production.wait_for(lambda r: transactions_named(r, "ClassroomConsumer.disconnect"))
        assert production.events == []
    finally:
        production.stop()


def test_socket__tokens_never_reach_sentry(sentry_receiver, teacher, student):
    classroom = classroom_with(teacher, student)
    by_subprotocol, by_frame, in_query = (access_token(student) for _ in range(3))

    async def scenario():
        ws = socket(f"/ws/classrooms/{classroom.pk}/", subprotocols=[f"bearer.{by_subprotocol}"])
        await ws.connect(timeout=10)
        assert (await receive(ws))["type"] == "ready"
        await send(ws, {"type": "launch"})  # an error frame: a transaction, no event
        await receive(ws)
        await ws.disconnect()

        ws = socket(f"/ws/classrooms/{classroom.pk}/?token={in_query}")
        await ws.connect(timeout=10)
        await send(ws, {"type": "auth", "token": by_frame})
        assert (await receive(ws))["type"] == "ready"
        await send(ws, {"type": "quiz.submit", "quiz_id": 1, "answers": [0]})
        assert (await receive(ws))["code"] == "not_found"
        await ws.disconnect()

    run(scenario)
    sentry_receiver.wait_for(lambda r: len(transactions_named(r, "ClassroomConsumer.auth")) == 1)
    sentry_receiver.wait_for(
        lambda r: len(transactions_named(r, "ClassroomConsumer.disconnect")) == 2
    )
    raw = sentry_receiver.raw_bytes
    for token in (by_subprotocol, by_frame, in_query):
        assert token.encode() not in raw
        assert token.split(".")[2].encode() not in raw  # not even its signature
    assert b"?token" not in raw


PAGE_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PAGE_TRACE = f"?sentry-trace={PAGE_TRACE_ID}-00f067aa0ba902b7-1&baggage=sentry-sample_rand%3D0.0"


def test_socket__handshake_joins_the_pages_trace(sentry_receiver, teacher, student):
    classroom = classroom_with(teacher, student)

    async def scenario():
        ws = socket(f"/ws/classrooms/{classroom.pk}/{PAGE_TRACE}", student)
        await ws.connect(timeout=10)
        await receive(ws)
        await ws.disconnect(code=1000)

    run(scenario)
    connect = sentry_receiver.wait_for(
        lambda r: transactions_named(r, "ClassroomConsumer.connect")
    )[0]
    assert connect["contexts"]["trace"]["trace_id"] == PAGE_TRACE_ID
    assert connect["contexts"]["trace"]["parent_span_id"] == "00f067aa0ba902b7"


def test_socket__a_pages_sampling_decision_is_not_trusted(configure_sentry, teacher, student):
    receiver = SentryReceiver().start()
    try:
        configure_sentry("production", dsn=receiver.dsn, traces_sample_rate=0.0)
        classroom = classroom_with(teacher, student)

        async def scenario():
            ws = socket(f"/ws/classrooms/{classroom.pk}/{PAGE_TRACE}", student)
            await ws.connect(timeout=10)
            await receive(ws)
            await send(ws, {"type": "ping"})
            await receive(ws)
            await ws.disconnect(code=1000)

        run(scenario)
        import sentry_sdk

        sentry_sdk.flush(timeout=5)
        assert receiver.transactions == []  # "-1" and sample_rand=0 forced nothing
    finally:
        receiver.stop()


def broadcast_to_class(
    client, receiver, teacher, students, classroom, quiz_id
) -> tuple[list[dict], str]:
    """Every student's socket open, the quiz published over HTTP (a request of its own, traced
    at the development rate): the frames they received and the publisher's trace id."""

    def publish() -> None:
        path = f"/api/v1/quizzes/{quiz_id}/publish"
        response = Api(client, teacher).post(path, {"classroom_id": classroom.pk})
        assert response.status_code == 200

    async def scenario():
        sockets = [socket(f"/ws/classrooms/{classroom.pk}/", pupil) for pupil in students]
        for ws in sockets:
            await ws.connect(timeout=10)
            assert (await receive(ws))["type"] == "ready"
        await database_sync_to_async(publish)()
        frames = [await receive(ws) for ws in sockets]
        for ws in sockets:
            await ws.disconnect(code=1000)
        return frames

    frames = run(scenario)
    published = receiver.wait_for(transaction_named("/api/v1/quizzes/{quiz_id}/publish"))
    return frames, published[0]["contexts"]["trace"]["trace_id"]


def test_socket__a_broadcast_is_one_push_transaction_per_process_in_the_publishers_trace(
    sentry_receiver, client, teacher
):
    """A class of 5 gets the quiz: one ``websocket.send`` transaction, not one per socket."""
    students = [make_user(Role.STUDENT) for n in range(5)]
    classroom = classroom_with(teacher, *students)
    quiz = Api(client, teacher).post("/api/v1/quizzes/generate", QUIZ).json()

    frames, trace_id = broadcast_to_class(
        client, sentry_receiver, teacher, students, classroom, quiz["id"]
    )

    assert [f["type"] for f in frames] == ["quiz.published"] * 5
    push = sentry_receiver.wait_for(
        lambda r: transactions_named(r, "ClassroomConsumer.content.published")
    )[0]
    assert push["contexts"]["trace"]["op"] == "websocket.send"
    assert push["contexts"]["trace"]["trace_id"] == trace_id
    sentry_receiver.wait_for(
        lambda r: len(transactions_named(r, "ClassroomConsumer.disconnect")) == 5
    )  # every socket's work has been sent by now
    assert len(transactions_named(sentry_receiver, "ClassroomConsumer.content.published")) == 1


def test_socket__a_push_failing_on_every_socket_is_reported_for_each_in_the_publishers_trace(
    sentry_receiver, client, teacher, monkeypatch
):
    students = [make_user(Role.STUDENT) for n in range(3)]
    classroom = classroom_with(teacher, *students)
    quiz = Api(client, teacher).post("/api/v1/quizzes/generate", QUIZ).json()

    async def broken(self, event):
        raise RuntimeError("frame encoder unavailable")

    monkeypatch.setattr("live.consumers.classrooms.ClassroomConsumer.content_published", broken)
    frames, trace_id = broadcast_to_class(
        client, sentry_receiver, teacher, students, classroom, quiz["id"]
    )

    assert [(f["type"], f["code"], f["message_type"]) for f in frames] == [
        ("error", "internal_error", "content.published")
    ] * 3
    failures = sentry_receiver.wait_for(
        lambda r: len([e for e in r.events if e.get("exception")]) == 3 and r.events
    )
    assert {e["contexts"]["trace"]["trace_id"] for e in failures} == {trace_id}
    assert {e["event_id"] for e in failures} == {f["event_id"] for f in frames}
    for event in failures:
        assert event["tags"]["websocket.message_type"] == "content.published"
        assert "push_id" not in event["contexts"]["websocket_message"]["payload"]
        assert relay_errors(event) == []
    (push,) = transactions_named(sentry_receiver, "ClassroomConsumer.content.published")
    assert push["contexts"]["trace"]["status"] == "internal_error"
