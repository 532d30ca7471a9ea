"""Two app instances, one Redis, one database, a Celery worker: one service, one trace.

Each instance is the production command (``gunicorn toolbox.asgi -k uvicorn_worker.UvicornWorker``)
on its own loopback port; clients are a real HTTP client and a real WebSocket client
(``websockets``); Sentry is the loopback receiver, which every process delivers to.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import websockets
from django.conf import settings as django_settings

from monitoring.management.commands.runserver import Command as Runserver
from tests.support.live import REDIS_URL, RUN_PREFIX
from tests.support.live_servers import (
    delete_keys,
    seed_classroom,
    start_asgi,
    start_runserver,
    start_worker,
    wait_until_serving,
)
from tests.support.sentry_receiver import SentryReceiver, relay_errors
from tests.support.servers import AppServer, ServerDatabase

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery-staple"
FRAME_TIMEOUT = 20


@dataclass
class Stack:
    a: AppServer
    b: AppServer
    env: dict[str, str]
    receiver: SentryReceiver
    ids: dict[str, int]
    tmp_path: object

    def login(self, server: AppServer, username: str) -> str:
        response = httpx.post(
            server.url + "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()["access"]

    def logs(self) -> str:
        return self.a.log() + self.b.log()


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    tmp_path = tmp_path_factory.mktemp("live-servers")
    prefix = f"{RUN_PREFIX}-servers"
    receiver = SentryReceiver().start()
    database = ServerDatabase(tmp_path, django_settings.DATABASES["default"])
    servers: list[AppServer] = []
    try:
        ids = seed_classroom(database.url, PASSWORD)
        env = {
            "DATABASE_URL": database.url,
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
            "SENTRY_DSN": receiver.dsn,
            "SENTRY_ENVIRONMENT": "development",
            "SENTRY_TRACES_SAMPLE_RATE": "1.0",
            "SENTRY_PROFILES_SAMPLE_RATE": "0",
            "OPENAI_API_KEY": "",
            "LOG_FILE": "",
        }
        # Started together, waited for together: each takes a few seconds to load Django.
        servers = [start_asgi(tmp_path, env), start_asgi(tmp_path, env)]
        for server in servers:
            wait_until_serving(server)
        yield Stack(servers[0], servers[1], env, receiver, ids, tmp_path)
    finally:
        for server in servers:
            server.stop()
        receiver.stop()
        database.drop()
        delete_keys(REDIS_URL, prefix)


def ws_url(server: AppServer, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


async def frame(ws, timeout: float = FRAME_TIMEOUT) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def frame_where(ws, predicate, timeout: float = FRAME_TIMEOUT) -> list[dict]:
    frames = []
    deadline = time.monotonic() + timeout
    while True:
        frames.append(await frame(ws, max(0.1, deadline - time.monotonic())))
        if predicate(frames[-1]):
            return frames


def connect(server: AppServer, path: str, token: str | None):
    protocols = ["toolbox.v1", f"bearer.{token}"] if token else None
    return websockets.connect(ws_url(server, path), subprotocols=protocols, open_timeout=15)


def named(receiver: SentryReceiver, name: str) -> list[dict]:
    return [t for t in receiver.transactions if t["transaction"] == name]


def trace_id(transaction: dict) -> str:
    return transaction["contexts"]["trace"]["trace_id"]


def pid(transaction: dict) -> int:
    return transaction["contexts"]["application"]["process_id"]


def test_scale_out__quiz_published_on_a_reaches_a_student_on_b_who_answers_there(stack):
    teacher = stack.login(stack.a, "ms-frizzle")
    student = stack.login(stack.b, "arnold")
    classroom = stack.ids["classroom"]
    teacher_headers = {"Authorization": f"Bearer {teacher}"}
    quiz = httpx.post(
        stack.a.url + "/api/v1/quizzes/generate",
        json={"subject": "mathematics", "grade_level": 3, "question_count": 3, "seed": 4},
        headers=teacher_headers,
        timeout=15,
    ).json()

    async def scenario() -> dict:
        async with connect(stack.b, f"/ws/classrooms/{classroom}/", student) as ws:
            assert ws.subprotocol == "toolbox.v1"
            assert (await frame(ws))["type"] == "ready"
            metrics = httpx.get(stack.b.url + "/metrics", timeout=10).json()["websockets"]
            assert metrics["connections"]["ClassroomConsumer"] == 1

            published = await asyncio.to_thread(
                httpx.post,
                stack.a.url + f"/api/v1/quizzes/{quiz['id']}/publish",
                json={"classroom_id": classroom},
                headers=teacher_headers,
                timeout=15,
            )
            assert published.status_code == 200, published.text
            pushed = await frame(ws)
            assert pushed["type"] == "quiz.published" and pushed["quiz"]["id"] == quiz["id"]
            assert "correct_index" not in json.dumps(pushed)

            answers = [q["correct_index"] for q in quiz["questions"]]
            await ws.send(
                json.dumps({"type": "quiz.submit", "quiz_id": quiz["id"], "answers": answers})
            )
            graded = await frame(ws)
            assert graded["type"] == "quiz.graded"
            assert graded["attempt"]["score"] == graded["attempt"]["total"] == 3
            await ws.send("not json")
            assert (await frame(ws))["code"] == "invalid_json"
            return published.headers

    asyncio.run(scenario())

    # /metrics (multiprocess, livesum): the socket counted while open, gone once closed.
    deadline = time.monotonic() + 10
    while True:
        report = httpx.get(stack.b.url + "/metrics", timeout=10).json()["websockets"]
        if report["open"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert report["open"] == 0
    assert report["messages"]["in"]["quiz.submit"] >= 1
    assert report["messages"]["in"]["<invalid>"] >= 1
    assert report["messages"]["out"]["quiz.published"] >= 1
    text = httpx.get(stack.b.url + "/metrics", headers={"Accept": "text/plain"}, timeout=10).text
    assert 'toolbox_websocket_messages_total{consumer="ClassroomConsumer",direction="in"' in text
    assert "toolbox_websocket_connections" in text

    # One trace from the publish request on A to the push delivered on B.
    receiver = stack.receiver
    publish = receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"].endswith("/publish")], timeout=15
    )[0]
    push = receiver.wait_for(lambda r: named(r, "ClassroomConsumer.content.published"), timeout=15)[
        0
    ]
    assert trace_id(push) == trace_id(publish)
    assert push["contexts"]["trace"]["op"] == "websocket.send"
    assert pid(push) != pid(publish)  # delivered by the other instance
    submit = receiver.wait_for(lambda r: named(r, "ClassroomConsumer.quiz.submit"))[0]
    assert submit["contexts"]["trace"]["op"] == "websocket.message"
    assert submit["tags"]["component"] == "websocket"
    assert submit["user"]["id"] == str(stack.ids["student"])
    assert trace_id(submit) != trace_id(push)  # a message of its own, a trace of its own
    assert relay_errors(submit) == []
    assert student.encode() not in receiver.raw_bytes
    assert student not in stack.logs()


def test_scale_out__job_enqueued_on_a_runs_on_the_worker_and_streams_to_b_in_one_trace(stack):
    teacher = stack.login(stack.a, "ms-frizzle")
    headers = {"Authorization": f"Bearer {teacher}"}
    response = httpx.post(
        stack.a.url + "/api/v1/content/generate",
        json={
            "subject": "science",
            "grade_level": 5,
            "learning_objectives": ["Explain evaporation"],
            "background": True,
        },
        headers=headers,
        timeout=15,
    )
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "queued"  # a broker is configured: nothing ran in the request

    async def scenario() -> list[dict]:
        async with connect(stack.b, job["websocket_path"], teacher) as ws:
            assert (await frame(ws))["type"] == "ready"
            snapshot = await frame(ws)
            assert snapshot["job"]["status"] == "queued"
            # Only now a worker: the job waited in Redis for it.
            worker = await asyncio.to_thread(start_worker, stack.tmp_path, stack.env)
            try:
                frames = await frame_where(ws, lambda f: f["job"]["status"] in ("done", "failed"))
            finally:
                await asyncio.to_thread(worker.stop)
            return [snapshot, *frames]

    frames = asyncio.run(scenario())
    statuses = [(f["job"]["status"], f["job"]["progress"]) for f in frames]
    assert statuses == [("queued", 0), ("running", 10), ("done", 100)], statuses
    done = frames[-1]["job"]
    status = httpx.get(stack.b.url + job["status_url"], headers=headers, timeout=10).json()
    assert status["status"] == "done" and status["content_id"] == done["content_id"]
    lesson = httpx.get(stack.b.url + done["content_url"], headers=headers, timeout=10)
    assert lesson.status_code == 200

    receiver = stack.receiver
    request = receiver.wait_for(
        lambda r: [
            t
            for t in r.transactions
            if t["transaction"] == "/api/v1/content/generate"
            and t["contexts"]["trace"]["op"] == "http.server"
        ],
        timeout=15,
    )[0]
    task = receiver.wait_for(lambda r: named(r, "jobs.generation_job_run"), timeout=15)[0]
    pushes = receiver.wait_for(lambda r: len(named(r, "JobConsumer.job.update")) >= 2, timeout=15)
    pushes = named(receiver, "JobConsumer.job.update")
    snapshot = named(receiver, "JobConsumer.job.snapshot")[0]
    assert task["contexts"]["trace"]["op"] == "queue.task.celery"
    assert task["user"]["id"] == str(stack.ids["teacher"])
    assert {trace_id(t) for t in [request, task, snapshot, *pushes]} == {trace_id(request)}
    assert len({pid(request), pid(task), pid(pushes[0])}) == 3  # A, the worker, B
    assert all(t["contexts"]["trace"]["op"] == "websocket.send" for t in pushes)
    assert pushes[0]["tags"]["component"] == "websocket"
    assert teacher.encode() not in receiver.raw_bytes


def test_runserver__daphne_serves_sockets_that_share_the_layer_with_the_other_instances(stack):
    assert Runserver.default_port == "8008"
    server = wait_until_serving(start_runserver(stack.tmp_path, stack.env))
    try:
        student = stack.login(server, "arnold")
        teacher = stack.login(stack.a, "ms-frizzle")
        headers = {"Authorization": f"Bearer {teacher}"}
        quiz = httpx.post(
            stack.a.url + "/api/v1/quizzes/generate",
            json={"subject": "mathematics", "grade_level": 2, "question_count": 2},
            headers=headers,
            timeout=15,
        ).json()

        async def scenario() -> dict:
            async with connect(server, f"/ws/classrooms/{stack.ids['classroom']}/", student) as ws:
                assert (await frame(ws))["type"] == "ready"
                published = await asyncio.to_thread(
                    httpx.post,
                    stack.a.url + f"/api/v1/quizzes/{quiz['id']}/publish",
                    json={"classroom_id": stack.ids["classroom"]},
                    headers=headers,
                    timeout=15,
                )
                assert published.status_code == 200
                return await frame(ws)

        pushed = asyncio.run(scenario())
        assert pushed["type"] == "quiz.published" and pushed["quiz"]["id"] == quiz["id"]
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def test_real_socket__refusals_reach_a_real_client_with_their_close_code(stack):
    student = stack.login(stack.b, "arnold")

    async def close_code(path: str, token: str | None, first: dict | None = None) -> int:
        async with connect(stack.a, path, token) as ws:
            if first is not None:
                await ws.send(json.dumps(first))
            try:
                while True:
                    await frame(ws)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code

    async def scenario():
        assert await close_code("/ws/classrooms/999/", student) == 4404
        assert await close_code("/ws/jobs/6d0b7c9e-9d0e-4d57-9a55-0d1b6b8c3f10/", student) == 4403
        assert (
            await close_code(f"/ws/classrooms/1/?token={student}", None, {"type": "ping"}) == 4401
        )
        assert await close_code("/ws/classrooms/1/", None, {"type": "auth", "token": "x"}) == 4401

    asyncio.run(scenario())
    stack.receiver.wait_for(
        lambda r: [e for e in r.events if e["tags"].get("websocket.close_code") == "4401"],
        timeout=15,
    )
    assert student.encode() not in stack.receiver.raw_bytes
    assert student not in stack.logs()
    # Last in this module: nothing any instance did here crashed (a channel layer that times
    # out idle receives, or a pool that runs out of connections, would show as a traceback).
    assert "Traceback" not in stack.logs(), stack.logs()
