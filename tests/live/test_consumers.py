"""The sockets as clients use them, through Channels' communicator on the real socket stack."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from accounts.models import Role
from curriculum.quizzes import grade_attempt
from jobs import services as job_services
from jobs.models import GenerationJob, JobKind, JobStatus
from live import protocol
from quizzes.models import Quiz, QuizAttempt
from tests.accounts.factories import make_user
from tests.support.api import Api, classroom_with
from tests.support.live import (
    access_token,
    closed_with,
    receive,
    receive_until,
    run,
    send,
    socket,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("offline_only")]

LESSON = {
    "subject": "science",
    "grade_level": 5,
    "learning_objectives": ["Describe the water cycle"],
    "content_type": "lesson",
    "complexity": "intermediate",
    "seed": 3,
}
QUIZ = {"subject": "mathematics", "grade_level": 4, "question_count": 3, "seed": 5}


def queued_job(owner, kind=JobKind.LESSON, params=None) -> GenerationJob:
    return GenerationJob.objects.create(owner=owner, kind=kind, params=params or LESSON)


def quiz_by(client, teacher) -> dict:
    response = Api(client, teacher).post("/api/v1/quizzes/generate", QUIZ)
    assert response.status_code == 201, response.content
    return response.json()


async def publish(client, teacher, path: str, classroom):
    """The teacher publishes to the class over HTTP, from a scenario's event loop."""
    post = database_sync_to_async(Api(client, teacher).post)
    return await post(path, {"classroom_id": classroom.pk})


# --- jobs -----------------------------------------------------------------------------------------


def test_job_socket__streams_queued_running_and_done_with_the_content(teacher):
    job = queued_job(teacher)

    async def scenario():
        ws = socket(f"/ws/jobs/{job.pk}/", teacher)
        connected, subprotocol = await ws.connect(timeout=10)
        assert (connected, subprotocol) == (True, "toolbox.v1")
        ready = await receive(ws)
        assert ready == {
            "type": "ready",
            "user": {"id": teacher.pk, "role": "teacher"},
            "path": f"/ws/jobs/{job.pk}/",
        }
        snapshot = await receive(ws)
        assert snapshot["type"] == "job.status"
        assert snapshot["job"]["status"] == "queued" and snapshot["job"]["progress"] == 0

        await database_sync_to_async(job_services.job_run)(job_id=job.pk)
        frames = await receive_until(ws, lambda f: f["job"]["status"] == "done")
        statuses = [(f["job"]["status"], f["job"]["progress"]) for f in frames]
        assert statuses == [("running", 10), ("done", 100)]
        done = frames[-1]["job"]
        assert done["content_id"] and done["content_url"] == f"/api/v1/content/{done['content_id']}"
        assert done["error"] is None
        await ws.disconnect()
        return done["content_id"]

    content_id = run(scenario)
    job.refresh_from_db()
    assert (job.status, job.content_id) == (JobStatus.DONE, content_id)


def test_job_socket__failed_job_says_so_safely(teacher, monkeypatch):
    job = queued_job(teacher)

    def explode(**kwargs):
        raise RuntimeError("provider exploded at /srv/internal/path with secret=abc123")

    monkeypatch.setitem(job_services.GENERATORS, JobKind.LESSON, explode)

    async def scenario():
        ws = socket(f"/ws/jobs/{job.pk}/", teacher)
        await ws.connect(timeout=10)
        await receive_until(ws, lambda f: f["type"] == "job.status")
        await database_sync_to_async(job_services.job_run)(job_id=job.pk)
        frames = await receive_until(ws, lambda f: f["job"]["status"] == "failed")
        failed = frames[-1]["job"]
        assert failed["error"] == job_services.GENERATION_FAILED
        assert "exploded" not in str(frames) and "secret" not in str(frames)
        await ws.disconnect()

    run(scenario)


def test_job_socket__first_frame_auth_and_status_request(teacher):
    job = queued_job(teacher)

    async def scenario():
        ws = socket(f"/ws/jobs/{job.pk}/")
        connected, subprotocol = await ws.connect(timeout=10)
        assert (connected, subprotocol) == (True, None)
        await send(ws, {"type": "auth", "token": access_token(teacher)})
        assert (await receive(ws))["type"] == "ready"
        assert (await receive(ws))["job"]["status"] == "queued"
        await send(ws, {"type": "job.status"})
        assert (await receive(ws))["job"]["id"] == str(job.pk)
        await send(ws, {"type": "auth", "token": access_token(teacher)})
        assert (await receive(ws))["code"] == "already_authenticated"
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


# --- who may connect ------------------------------------------------------------------------------


def test_sockets__refused_with_a_close_code_that_says_why(teacher, student, monkeypatch):
    other_teacher = make_user(Role.TEACHER)
    job = queued_job(teacher)
    classroom = classroom_with(teacher, student)
    expired = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    monkeypatch.setattr("live.consumers.base.AUTH_TIMEOUT_SECONDS", 0.2)

    async def refused(path, user=None, *, frame=None, **kwargs):
        ws = socket(path, user, **kwargs)
        connected, _ = await ws.connect(timeout=10)
        assert connected  # accepted first: a close code only reaches an open socket
        if frame is not None:
            await send(ws, frame)
        code = await closed_with(ws)
        await ws.disconnect()
        return code

    async def scenario():
        jobs_path = f"/ws/jobs/{job.pk}/"
        # 4401: no token, a bad one (subprotocol or first frame), a frame before auth, too slow.
        assert await refused(jobs_path, subprotocols=["toolbox.v1", f"bearer.{expired}"]) == 4401
        assert await refused(jobs_path, frame={"type": "auth", "token": expired}) == 4401
        assert await refused(jobs_path, frame={"type": "ping"}) == 4401
        assert await refused(jobs_path) == 4401
        assert await refused(f"{jobs_path}?token={access_token(teacher)}") == 4401
        # 4403: the wrong role or not in the class; 4404: nothing there for this user.
        assert await refused(jobs_path, student) == 4403
        assert await refused(f"/ws/classrooms/{classroom.pk}/", other_teacher) == 4403
        assert await refused(jobs_path, other_teacher) == 4404
        assert await refused("/ws/jobs/6d0b7c9e-9d0e-4d57-9a55-0d1b6b8c3f10/", teacher) == 4404
        assert await refused("/ws/classrooms/999999/", teacher) == 4404
        assert await refused("/ws/elsewhere/", teacher) == 4404

    run(scenario)


# --- frames the server cannot use -----------------------------------------------------------------


def test_sockets__malformed_frames_get_error_frames_and_the_socket_stays_usable(teacher, student):
    classroom = classroom_with(teacher, student)

    async def scenario():
        ws = socket(f"/ws/classrooms/{classroom.pk}/", student)
        await ws.connect(timeout=10)
        assert (await receive(ws))["type"] == "ready"
        cases = [
            ("{not json", "invalid_json"),
            ("[1, 2]", "invalid_message"),
            ('{"no": "type"}', "invalid_message"),
            ('{"type": "launch.rockets"}', "unknown_type"),
            ('{"type": "quiz.submit", "answers": [1]}', "invalid_message"),
            ('{"type": "quiz.submit", "quiz_id": 1, "answers": ["a"]}', "invalid_message"),
            ("x" * (protocol.MAX_MESSAGE_BYTES + 1), "message_too_large"),
        ]
        for text, code in cases:
            await send(ws, text)
            frame = await receive(ws)
            assert (frame["type"], frame["code"]) == ("error", code), text[:40]
        await ws.send_to(bytes_data=b"\x00\x01")
        assert (await receive(ws))["code"] == "invalid_frame"
        missing = await _error_for(ws, '{"type": "quiz.submit", "answers": [1]}')
        assert missing["message_type"] == "quiz.submit"
        assert missing["errors"] == [{"loc": ["quiz_id"], "msg": "Field required"}]
        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
        await ws.disconnect()

    run(scenario)


async def _error_for(ws, text: str) -> dict:
    await send(ws, text)
    return await receive(ws)


# --- classrooms -----------------------------------------------------------------------------------


def test_classroom_socket__students_get_published_quiz_without_answers_and_submit_answers(
    client, teacher, student
):
    classroom = classroom_with(teacher, student)
    quiz = quiz_by(client, teacher)
    lesson = Api(client, teacher).post("/api/v1/content/generate", LESSON).json()

    async def scenario():
        pupil = socket(f"/ws/classrooms/{classroom.pk}/", student)
        owner = socket(f"/ws/classrooms/{classroom.pk}/", teacher)
        for ws in (pupil, owner):
            await ws.connect(timeout=10)
            assert (await receive(ws))["type"] == "ready"

        response = await publish(
            client, teacher, f"/api/v1/quizzes/{quiz['id']}/publish", classroom
        )
        assert response.status_code == 200
        for ws in (pupil, owner):
            pushed = await receive(ws)
            assert pushed["type"] == "quiz.published"
            assert pushed["classroom_id"] == classroom.pk
            assert pushed["quiz"]["id"] == quiz["id"]
            for question in pushed["quiz"]["questions"]:
                assert set(question) == {"index", "prompt", "options", "topic"}
            assert not {"classroom_ids", "seed", "fallback_reason"} & set(pushed["quiz"])

        answers = [q["correct_index"] for q in quiz["questions"]]
        answers[0] = (answers[0] + 1) % len(quiz["questions"][0]["options"])
        await send(pupil, {"type": "quiz.submit", "quiz_id": quiz["id"], "answers": answers})
        graded = await receive(pupil)
        assert graded["type"] == "quiz.graded"
        expected = grade_attempt(questions=quiz["questions"], answers=answers)
        assert graded["attempt"]["score"] == expected["score"] == 2
        assert graded["attempt"]["results"] == expected["results"]

        await send(pupil, {"type": "quiz.submit", "quiz_id": quiz["id"], "answers": answers})
        again = await receive(pupil)  # once per quiz: the grading showed the answers
        assert (again["code"], again["detail"]) == (
            "already_submitted",
            "You have already submitted this quiz",
        )
        await send(pupil, {"type": "quiz.submit", "quiz_id": quiz["id"], "answers": [0]})
        assert (await receive(pupil))["code"] == "invalid_message"
        await send(pupil, {"type": "quiz.submit", "quiz_id": 999999, "answers": [0]})
        assert (await receive(pupil))["code"] == "not_found"
        # The teacher's socket heard of the pupil's attempt (scores only, for the gradebook).
        heard = await receive(owner)
        assert heard["type"] == "quiz.graded" and heard["student_id"] == student.pk
        assert heard["score"] == 2 and "attempt" not in heard
        await send(owner, {"type": "quiz.submit", "quiz_id": quiz["id"], "answers": answers})
        assert (await receive(owner))["code"] == "forbidden"

        response = await publish(
            client, teacher, f"/api/v1/content/{lesson['id']}/publish", classroom
        )
        assert response.status_code == 200
        pushed = await receive(pupil)
        assert pushed["type"] == "lesson.published"
        assert pushed["lesson"]["id"] == lesson["id"]
        assert pushed["lesson"]["url"] == f"/api/v1/content/{lesson['id']}"
        teacher_only = {"assessment", "classroom_ids", "seed", "fallback_reason"}
        assert not teacher_only & set(pushed["lesson"])
        for ws in (pupil, owner):
            await ws.disconnect()

    run(scenario)
    attempt = QuizAttempt.objects.get()
    assert (attempt.student_id, attempt.quiz_id, attempt.score) == (student.pk, quiz["id"], 2)
    assert Quiz.objects.get(pk=quiz["id"]).classrooms.get() == classroom


def test_classroom_socket__a_push_and_a_frame_are_handled_without_a_hop_to_the_sync_thread(
    client, teacher, student, monkeypatch
):
    # Channels closes stale database connections before every message, on the sync thread: a
    # thread hop per socket per broadcast. Our queries close them themselves
    # (database_sync_to_async), so the consumers skip that pass and still serve what needs the
    # database.
    import channels.consumer

    passes = []

    async def counted_close_old_connections():
        passes.append(True)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted_close_old_connections)
    classroom = classroom_with(teacher, student)
    quiz = quiz_by(client, teacher)

    async def scenario():
        pupil = socket(f"/ws/classrooms/{classroom.pk}/", student)
        await pupil.connect(timeout=10)
        assert (await receive(pupil))["type"] == "ready"
        response = await publish(
            client, teacher, f"/api/v1/quizzes/{quiz['id']}/publish", classroom
        )
        assert response.status_code == 200
        assert (await receive(pupil))["type"] == "quiz.published"
        answers = [q["correct_index"] for q in quiz["questions"]]
        await send(pupil, {"type": "quiz.submit", "quiz_id": quiz["id"], "answers": answers})
        assert (await receive(pupil))["type"] == "quiz.graded"
        await pupil.disconnect()

    run(scenario)
    assert passes == []
    assert QuizAttempt.objects.get().student_id == student.pk


# --- through Redis --------------------------------------------------------------------------------


def test_redis_layer__a_publish_reaches_the_socket_and_idle_reads_outlast_the_blocking_pop(
    redis_channel_layer, client, teacher, student
):
    from channels.layers import get_channel_layer

    classroom = classroom_with(teacher, student)
    quiz = quiz_by(client, teacher)
    layer = get_channel_layer()
    # redis-py 8's 5 s default would end every idle receive (a 5 s BZPOPMIN) in a TimeoutError.
    pool = layer.create_pool(0)
    assert pool.connection_kwargs["socket_timeout"] > layer.brpop_timeout

    async def scenario():
        ws = socket(f"/ws/classrooms/{classroom.pk}/", student)
        await ws.connect(timeout=10)
        assert (await receive(ws))["type"] == "ready"
        await publish(client, teacher, f"/api/v1/quizzes/{quiz['id']}/publish", classroom)
        assert (await receive(ws))["quiz"]["id"] == quiz["id"]
        await ws.disconnect()
        await ws.wait(timeout=2)  # the consumer ends at once: no receive left behind in Redis

    run(scenario)
