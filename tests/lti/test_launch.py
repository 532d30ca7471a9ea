"""End to end against the simulated LMS: launches, deep linking and grade passback."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from lti import services, tasks
from lti.models import GradePost, GradePostStatus, Identity
from tests.lti.simulator import INSTRUCTOR, Browser

pytestmark = pytest.mark.django_db(transaction=True)


def _student_takes(browser: Browser, lms, quiz, *, sub: str = "student-sub-1"):
    ref = services.resource_ref(platform=lms.row, kind="quiz", content_id=quiz.pk)
    answer, _ = browser.launch(lms, sub=sub, custom={"toolbox_ref": ref}, lineitem="77")
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"] == f"/classroom/quizzes/{quiz.pk}/"
    page = browser.get(answer.headers["location"])
    assert page.status_code == 200 and "Submit my answers" in page.text
    answers = {f"q{index}": "0" for index in range(quiz.question_count)}
    submitted = browser.post(f"/classroom/quizzes/{quiz.pk}/submit/", answers)
    assert submitted.status_code == 302
    return GradePost.objects.get(attempt__quiz=quiz)


def test_launch__student_takes_the_quiz_and_the_score_reaches_the_lms_gradebook(lms, browser, quiz):
    post = _student_takes(browser, lms, quiz)

    assert post.status == GradePostStatus.SENT
    assert len(lms.scores) == 1
    score = lms.scores[0]
    assert score["path"] == "/lineitems/77/scores"
    assert score["userId"] == "student-sub-1"
    assert score["scoreGiven"] == post.score and score["scoreMaximum"] == 3
    assert score["activityProgress"] == "Completed"
    # Only the LMS's opaque id is kept: not the child's name or e-mail it sent.
    student = Identity.objects.get(sub="student-sub-1").user
    assert (student.role, student.email, student.first_name, student.last_name) == (
        "student",
        "",
        "",
        "",
    )
    assert not student.has_usable_password()


def test_grade_post__a_failed_post_is_kept_shown_to_the_teacher_and_retried_by_the_task(
    lms, browser, quiz, teacher
):
    lms.fail_scores = 1  # the gradebook answers 500 once

    post = _student_takes(browser, lms, quiz)

    assert post.status == GradePostStatus.FAILED
    assert post.attempts == 1 and "500" in post.last_error
    assert post.next_attempt_at is not None
    assert lms.scores == []
    teacher_client = Client()
    teacher_client.force_login(teacher)
    page = teacher_client.get("/lti/grades/")
    assert "Failed: retrying" in page.content.decode() and "answered 500" in page.content.decode()

    assert tasks.grade_post_send(post.pk) == GradePostStatus.SENT

    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == (GradePostStatus.SENT, 2, "")
    assert len(lms.scores) == 1 and lms.scores[0]["userId"] == "student-sub-1"
    assert "In the LMS gradebook" in teacher_client.get("/lti/grades/").content.decode()


def test_deep_linking__teacher_places_a_quiz_and_the_lms_verifies_the_signed_response(
    lms, browser, quiz, teacher
):
    Identity.objects.create(platform=lms.row, sub="teacher-sub", user=teacher)

    answer, _ = browser.launch(lms, sub="teacher-sub", roles=[INSTRUCTOR], deep_link=True)
    assert answer.status_code == 302, answer.text
    picker = browser.get(answer.headers["location"])
    assert picker.status_code == 200 and quiz.title in picker.text
    chosen = browser.post(answer.headers["location"], {"item": f"quiz:{quiz.pk}"})
    assert chosen.status_code == 200
    action = re.search(r'action="([^"]+)" id="lti-deep-link-return"', chosen.text).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', chosen.text).group(1)
    assert browser.client.post(action, data={"JWT": token}).status_code == 200

    [response] = lms.deep_link_responses  # verified against our /lti/jwks.json
    claim = "https://purl.imsglobal.org/spec/lti/claim/"
    assert response[claim + "message_type"] == "LtiDeepLinkingResponse"
    assert response["iss"] == "toolbox-client-1"
    assert response["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "platform-opaque-data"
    [item] = response["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["title"] == quiz.title
    assert item["lineItem"]["scoreMaximum"] == 3

    # The placed item launches the quiz for a student of that course.
    student = Browser(browser.tool_url)
    try:
        launched, _ = student.launch(lms, sub="kid-2", custom=item["custom"], lineitem="9")
        assert launched.headers["location"] == f"/classroom/quizzes/{quiz.pk}/"
    finally:
        student.close()


def _refused_without_session(answer, browser: Browser, reason: str) -> None:
    assert answer.status_code in (400, 403)
    assert "This launch was refused" in answer.text
    shown = re.search(r"Reason: (.*)</p>", answer.text)
    assert reason in answer.text, shown and shown.group(1)
    assert not browser.signed_in()
    assert browser.get("/classroom/me/").status_code == 302  # still signed out


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"iss": "https://evil.example"}, "Registration not found"),
        ({"expires_in": -120}, "Signature has expired"),
        ({"bad_signature": True}, "Signature verification failed"),
        ({"deployment_id": "someone-elses-deployment"}, "Unable to find deployment"),
        ({"aud": ["toolbox-client-1", "other-tool"]}, "authorised party"),
        ({"custom": {"toolbox_ref": "quiz-1"}}, "not created by ToolboxAI"),
    ],
    ids=[
        "wrong-issuer",
        "expired",
        "bad-signature",
        "unknown-deployment",
        "no-azp",
        "forged-link",
    ],
)
def test_launch__a_bad_launch_is_refused_with_a_page_and_no_session(lms, browser, spec, reason):
    answer, _ = browser.launch(lms, **spec)

    _refused_without_session(answer, browser, reason)
    assert not User.objects.filter(lti_identities__isnull=False).exists()  # no account made


def test_launch__a_replayed_id_token_is_refused(lms, browser, quiz):
    ref = services.resource_ref(platform=lms.row, kind="quiz", content_id=quiz.pk)
    first, posted = browser.launch(lms, custom={"toolbox_ref": ref})
    assert first.status_code == 302

    # Someone who captured the form post (and the state cookie) sends it again.
    attacker = Browser(browser.tool_url)
    try:
        for name, value in browser.client.cookies.items():
            if name.startswith("lti1p3-"):
                attacker.client.cookies.set(name, value)
        action = posted.pop("action")
        replayed = attacker.post_launch(action, posted)
        _refused_without_session(replayed, attacker, "Invalid Nonce")
    finally:
        attacker.close()


def test_login__an_unknown_platform_is_refused(browser, lms):
    answer = browser.get("/lti/login?iss=https%3A%2F%2Fevil.example&login_hint=x")
    assert answer.status_code == 400 and "This launch was refused" in answer.text
    assert not browser.signed_in()


def test_jwks__publishes_our_public_key_only(browser, lms):
    keys = browser.get("/lti/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0] and "p" not in keys[0]
