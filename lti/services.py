"""LTI writes: the tool key, accepting a launch, deep-linking responses, and grade posts."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sentry_sdk
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from jwcrypto.jwk import JWK
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from accounts.models import Classroom, Role, User
from accounts.services import classroom_create, classroom_student_enrol
from lessons.models import Lesson
from lti.crypto import secret_decrypt, secret_encrypt
from lti.http import COMPONENT, SERVICE, LmsCallError
from lti.models import Course, GradeLink, GradePost, GradePostStatus, Identity, Platform, ToolKey
from lti.tool import MessageLaunch, service_connector
from monitoring import errors
from monitoring.errors import mark_failure
from monitoring.facade import capture_exception, sentry_manager
from publishing.services import content_publish
from quizzes.models import Quiz, QuizAttempt

logger = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
TEACHING_ROLES = ("#Instructor", "#Administrator", "#ContentDeveloper", "#TeachingAssistant")
REF_SALT = "lti.resource"
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


class LaunchRefused(Exception):
    """A valid launch we will not serve (a student deep-linking, content that is gone)."""


@dataclass(frozen=True)
class ToolKeyPair:
    kid: str
    public_pem: str
    private_pem: str


def tool_key_ensure() -> ToolKeyPair:
    """Our signing key, generated on first use (one for every platform)."""
    key = ToolKey.objects.order_by("id").first()
    if key is None:
        jwk = JWK.generate(kty="RSA", size=2048)
        key = ToolKey.objects.create(
            kid=jwk.thumbprint(),
            public_pem=jwk.export_to_pem().decode(),
            private_pem_encrypted=secret_encrypt(
                jwk.export_to_pem(private_key=True, password=None).decode()
            ),
        )
    return ToolKeyPair(key.kid, key.public_pem, secret_decrypt(key.private_pem_encrypted))


def resource_ref(*, platform: Platform, kind: str, content_id: int) -> str:
    """The signed custom parameter a deep-linked item carries: an LMS can only launch what a
    teacher placed through us, not any quiz id it makes up."""
    return signing.dumps({"p": platform.pk, "k": kind, "id": content_id}, salt=REF_SALT)


def _resource_from_ref(*, platform: Platform, ref: str) -> tuple[str, int]:
    try:
        value = signing.loads(ref, salt=REF_SALT)
    except signing.BadSignature:
        raise LaunchRefused("This link was not created by ToolboxAI for your course") from None
    if value.get("p") != platform.pk or value.get("k") not in ("quiz", "lesson"):
        raise LaunchRefused("This link was not created by ToolboxAI for your course")
    return value["k"], int(value["id"])


def _teaching(roles: list[str]) -> bool:
    return any(role.endswith(TEACHING_ROLES) for role in roles if "membership" in role.lower())


def lti_user_for_launch(*, platform: Platform, sub: str, roles: list[str]) -> User:
    """The account of an LMS user: created on first launch from ``sub`` alone (no name, no
    e-mail: an LMS sends a child's, and a quiz does not need them). LTI roles map to teacher or
    student; never to admin, whatever the LMS says."""
    identity = Identity.objects.select_related("user").filter(platform=platform, sub=sub).first()
    if identity is not None:
        return identity.user
    digest = hashlib.sha256(f"{platform.pk}:{sub}".encode()).hexdigest()[:16]
    with transaction.atomic():
        user, _ = User.objects.get_or_create(
            username=f"lti-{platform.pk}-{digest}",
            defaults={"role": Role.TEACHER if _teaching(roles) else Role.STUDENT},
        )
        if user.has_usable_password():
            user.set_unusable_password()  # only the LMS signs this account in
            user.save(update_fields=["password"])
        Identity.objects.get_or_create(platform=platform, sub=sub, defaults={"user": user})
    return user


def _course_classroom(*, platform: Platform, context_id: str, teacher: User) -> Classroom:
    """The classroom standing for an LMS course, for content of ``teacher``."""
    course = Course.objects.filter(
        platform=platform, context_id=context_id, classroom__teacher=teacher
    ).first()
    if course is None:
        classroom = classroom_create(teacher=teacher, name=f"{platform.name} course")
        course = Course.objects.create(
            platform=platform, context_id=context_id, classroom=classroom
        )
    return course.classroom


@dataclass(frozen=True)
class Accepted:
    user: User
    next_url: str


def lti_launch_accept(*, launch: MessageLaunch) -> Accepted:
    """What a validated launch leads to: the user, and the page they land on."""
    body = launch.launch_body
    platform = launch.platform
    assert platform is not None
    roles = list(body.get(CLAIM + "roles") or [])
    if launch.is_deep_link_launch():
        user = lti_user_for_launch(platform=platform, sub=str(body["sub"]), roles=roles)
        if user.role not in (Role.TEACHER, Role.ADMIN):
            raise LaunchRefused("Only a teacher can place ToolboxAI content in a course")
        return Accepted(user, reverse("lti:deep_link", args=[launch.get_launch_id()]))
    if not launch.is_resource_launch():
        raise LaunchRefused("ToolboxAI does not handle this kind of LTI message")
    # The link is checked before anyone's account is made: a forged link creates nothing.
    custom = body.get(CLAIM + "custom") or {}
    kind, content_id = _resource_from_ref(platform=platform, ref=str(custom.get("toolbox_ref", "")))
    content: Any = (Quiz if kind == "quiz" else Lesson).objects.filter(pk=content_id).first()
    if content is None:
        raise LaunchRefused("This content has been deleted from ToolboxAI")
    context_id = str((body.get(CLAIM + "context") or {}).get("id") or body[CLAIM + "deployment_id"])
    user = lti_user_for_launch(platform=platform, sub=str(body["sub"]), roles=roles)
    if user.role == Role.STUDENT:
        owner = content.owner
        classroom = _course_classroom(platform=platform, context_id=context_id, teacher=owner)
        classroom_student_enrol(classroom=classroom, student=user)
        if not content.classrooms.filter(pk=classroom.pk).exists():
            content_publish(content=content, user=owner, classroom_id=classroom.pk)
        ags = body.get(AGS_CLAIM) or {}
        if kind == "quiz" and ags.get("lineitem") and SCORE_SCOPE in (ags.get("scope") or []):
            GradeLink.objects.update_or_create(
                student=user,
                quiz=content,
                lineitem_url=ags["lineitem"],
                defaults={"platform": platform, "sub": str(body["sub"]), "scopes": ags["scope"]},
            )
    sentry_manager.add_breadcrumb(
        message="LTI launch accepted",
        category="lti",
        data={"platform_id": platform.pk, "kind": kind, "content_id": content_id},
    )
    return Accepted(user, reverse(f"classroom:{kind}", args=[content_id]))


def deep_link_response_jwt(*, launch: MessageLaunch, kind: str, content: Any) -> str:
    """The signed LtiDeepLinkingResponse placing ``content`` in the teacher's course."""
    platform = launch.platform
    assert platform is not None
    target = launch.launch_body.get(CLAIM + "target_link_uri") or ""
    resource = (
        DeepLinkResource()
        .set_title(content.title)
        .set_url(target)
        .set_target("window")
        .set_custom_params(
            {"toolbox_ref": resource_ref(platform=platform, kind=kind, content_id=content.pk)}
        )
    )
    if kind == "quiz":
        resource.set_lineitem(
            LineItem()
            .set_label(content.title)
            .set_score_maximum(content.question_count)
            .set_resource_id(f"quiz-{content.pk}")
        )
    return launch.get_deep_link().get_response_jwt([resource])


def grade_post_create(*, attempt: QuizAttempt) -> list[GradePost]:
    """Owe the student's score to each gradebook they launched this quiz from."""
    posts = []
    for link in GradeLink.objects.filter(student_id=attempt.student_id, quiz_id=attempt.quiz_id):
        post, _ = GradePost.objects.get_or_create(
            attempt=attempt,
            defaults={
                "link": link,
                "score": attempt.score,
                "total": attempt.total,
                # Due at once: if the task's message is lost, the sweep still finds it.
                "next_attempt_at": timezone.now(),
            },
        )
        posts.append(post)
    return posts


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def grade_post_send(*, grade_post_id: int) -> GradePost:
    """Post one score to the LMS (AGS): token by client-credentials assertion, then the score.

    A failure is recorded on the row (attempts, error, when to try next), reported to Sentry as
    ``external_api`` with the LMS's host and status, and never loses the score.
    """
    with transaction.atomic():
        post = (
            GradePost.objects.select_for_update()
            .select_related("link__platform")
            .get(pk=grade_post_id)
        )
        if post.status == GradePostStatus.SENT:
            return post
        post.attempts += 1
        link = post.link
        grade = (
            Grade()
            .set_score_given(post.score)
            .set_score_maximum(post.total)
            .set_timestamp(post.scored_at.isoformat())
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_user_id(link.sub)
        )
        service = AssignmentsGradesService(
            service_connector(link.platform), {"scope": link.scopes, "lineitem": link.lineitem_url}
        )
        try:
            service.put_grade(grade)
        except (LmsCallError, LtiException, LtiServiceException) as exc:
            _grade_post_failed(post, exc)
        else:
            post.status = GradePostStatus.SENT
            post.sent_at = timezone.now()
            post.last_error = ""
            post.next_attempt_at = None
        post.save()
    return post


def _grade_post_failed(post: GradePost, exc: Exception) -> None:
    gave_up = post.attempts >= settings.LTI_GRADE_MAX_ATTEMPTS
    post.status = GradePostStatus.GAVE_UP if gave_up else GradePostStatus.FAILED
    post.last_error = str(exc)[:500]
    post.next_attempt_at = None if gave_up else timezone.now() + retry_delay(post.attempts)
    host = getattr(exc, "host", "") or post.link.lineitem_url.split("/")[2]
    mark_failure(exc, component=COMPONENT, category=errors.EXTERNAL_API, service=SERVICE)
    exc.sentry_tags = {**getattr(exc, "sentry_tags", {}), "lms_host": host}  # type: ignore[attr-defined]
    logger.warning("grade post %s failed (attempt %d): %s", post.pk, post.attempts, post.last_error)
    with sentry_sdk.new_scope() as scope:
        scope.set_context("grade_post", {"id": post.pk, "attempts": post.attempts})
        capture_exception(exc)


def grade_post_retry_now(*, post: GradePost) -> GradePost:
    """A teacher asks for another try (after the automatic ones gave up)."""
    if post.status != GradePostStatus.SENT:
        post.status = GradePostStatus.PENDING
        post.next_attempt_at = timezone.now()
        post.save(update_fields=["status", "next_attempt_at"])
    return post


def grade_posts_due() -> list[int]:
    """Ids of posts whose next try is due (the sweep: nothing waits on a lost Celery message)."""
    now = timezone.now()
    return list(
        GradePost.objects.filter(
            status__in=(GradePostStatus.PENDING, GradePostStatus.FAILED), next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
