"""POST /api/v1/feedback: "Report a problem", stored and sent to Sentry scrubbed."""

from __future__ import annotations

import pytest

from accounts import tokens
from accounts.services import classroom_join
from feedback.models import Feedback
from tests.accounts.factories import make_user

pytestmark = pytest.mark.django_db

ERROR_EVENT_ID = "0123456789abcdef0123456789abcdef"


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens.issue_pair(user.pk, user.role).access}"}


@pytest.fixture
def classroom(db):
    from accounts.services import classroom_create

    teacher = make_user("teacher", username="mr-teacher-grey")
    return classroom_create(teacher=teacher, name="Class 4B")


@pytest.fixture
def pupils(classroom):
    ada = make_user("student", username="ada-pupil-77")
    ada.first_name, ada.last_name = "Ada", "Okafor"
    ada.save()
    bob = make_user("student", username="bob-pupil-12")
    bob.first_name = "Bob"
    bob.save()
    for pupil in (ada, bob):
        classroom_join(student=pupil, code=classroom.join_code)
    return ada, bob


def test_feedback__stored_and_sent_scrubbed_and_linked_to_the_error(
    client, sentry_receiver, pupils, rate_limit
):
    ada, _bob = pupils
    message = (
        "Hi I'm Ada OKAFOR (ada-pupil-77), the quiz broke for me and bob. Mail my mum "
        "mum@example.com or call +44 7700 900123. Mr-Teacher-Grey knows."
    )

    response = client.post(
        "/api/v1/feedback",
        {
            "message": message,
            "content_kind": "quiz",
            "content_id": 7,
            "event_id": ERROR_EVENT_ID,
            "page_path": "/classroom/quizzes/7/",
        },
        content_type="application/json",
        **bearer(ada),
    )

    assert response.status_code == 201, response.content
    stored = Feedback.objects.get(pk=response.json()["id"])
    assert (stored.status, stored.role, stored.user_id) == ("new", "student", ada.pk)
    for secret in ("Ada", "OKAFOR", "ada-pupil-77", "bob", "mum@example.com", "7700", "Grey"):
        assert secret.lower() not in stored.message.lower(), secret
    assert "the quiz broke for me" in stored.message
    [sent] = sentry_receiver.wait_for(lambda r: r.items("feedback"))
    assert sent["contexts"]["feedback"]["associated_event_id"] == ERROR_EVENT_ID
    assert sent["contexts"]["feedback"]["message"] == stored.message
    assert sent["user"] == {"id": str(ada.pk), "role": "student"}
    assert sent["event_id"] == stored.feedback_event_id
    for secret in (b"Okafor", b"ada-pupil-77", b"mum@example.com", b"900123"):
        assert secret not in sentry_receiver.raw_bytes


def test_feedback__an_error_while_storing_it_is_reported_without_the_childs_words(
    client, sentry_receiver, pupils, rate_limit, monkeypatch
):
    """Scrubbing cannot find a name or a phone number in prose: neither the body nor the stack
    frames' local variables (the parsed payload) leave with the error."""
    ada, _bob = pupils

    def broken(**kwargs):
        raise RuntimeError("feedback store unavailable")

    monkeypatch.setattr("feedback.api.feedback_submit", broken)
    client.raise_request_exception = False
    # Built here so that the words are not in this file's lines (an error's source context).
    message = " ".join(["I'm Ada", "Oka" + "for,", "call my mum on 07700", "900" + "123,"])
    message += " the quiz " + "bro" + "ke"
    response = client.post(
        "/api/v1/feedback",
        {"message": message, "page_path": "/classroom/"},
        content_type="application/json",
        **bearer(ada),
    )

    assert response.status_code == 500
    [event] = sentry_receiver.wait_for(lambda r: [e for e in r.events if e.get("exception")])
    assert event["transaction"] == "/api/v1/feedback"
    assert event["request"]["method"] == "POST"
    assert "data" not in event["request"]
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames and not [f for f in frames if "vars" in f]
    transaction = sentry_receiver.wait_for(lambda r: r.transactions)[0]
    assert "data" not in transaction["request"]
    for words in (b"Okafor", b"900123", b"quiz broke"):
        assert words not in sentry_receiver.raw_bytes


def test_feedback__anonymous_gets_401(client):
    response = client.post(
        "/api/v1/feedback", {"message": "hello"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"message": ""},
        {"message": "   "},
        {"message": "x" * 2001},
        {"message": "ok", "event_id": "not-an-event-id"},
        {"message": "ok", "content_kind": "homework"},
        {"message": "ok", "content_id": 0},
        {"message": "ok", "page_path": "https://elsewhere.example/"},
    ],
)
def test_feedback__bad_input_gets_422(client, pupils, payload):
    response = client.post(
        "/api/v1/feedback", payload, content_type="application/json", **bearer(pupils[0])
    )

    assert response.status_code == 422
    assert response.json()["detail"]
    assert Feedback.objects.count() == 0


def test_feedback__a_flood_gets_429_with_retry_after(client, pupils, rate_limit):
    rate_limit("feedback", 2)
    ada = pupils[0]

    statuses = [
        client.post(
            "/api/v1/feedback", {"message": f"report {n}"},
            content_type="application/json", **bearer(ada),
        )
        for n in range(3)
    ]  # fmt: skip

    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert int(statuses[-1]["Retry-After"]) >= 1
    assert Feedback.objects.count() == 2


def test_feedback__stored_even_when_sentry_is_off(client, pupils, rate_limit):
    response = client.post(
        "/api/v1/feedback", {"message": "it broke"},
        content_type="application/json", **bearer(pupils[1]),
    )  # fmt: skip

    assert response.status_code == 201
    assert Feedback.objects.get().feedback_event_id == ""
