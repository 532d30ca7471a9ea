"""LMS platforms registered by an admin, who launched us from where, and grade posts owed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Platform(models.Model):
    """One LMS registration (an issuer and the client id it gave us), entered in the admin.

    The names-and-roles and AGS endpoints are not registered: each launch carries them.
    """

    name = models.CharField(max_length=200, help_text="Shown to admins and teachers")
    issuer = models.URLField(max_length=500, help_text="The platform's `iss`")
    client_id = models.CharField(max_length=500, help_text="The client id the platform gave us")
    deployment_ids = models.JSONField(
        default=list,
        blank=True,
        help_text='The deployment ids we accept from this platform, e.g. ["1", "2"]',
    )
    jwks_url = models.URLField(max_length=500, help_text="Where the platform serves its JWKS")
    auth_login_url = models.URLField(
        max_length=500, help_text="The platform's OIDC authorisation endpoint"
    )
    access_token_url = models.URLField(
        max_length=500, help_text="The platform's OAuth 2 token endpoint (for AGS)"
    )
    audience = models.CharField(
        max_length=500,
        blank=True,
        default="",
        help_text="The `aud` for our client assertions, when not the token URL",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_platform_issuer_client_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ToolKey(models.Model):
    """Our RSA key pair, one for every platform: the public half is served at /lti/jwks.json."""

    kid = models.CharField(max_length=64, unique=True)
    public_pem = models.TextField()
    private_pem_encrypted = models.TextField(help_text="Fernet-encrypted; never shown")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.kid


class Identity(models.Model):
    """An LMS user (the platform's opaque ``sub``) and the ToolboxAI account they use here.

    Only ``sub`` and the platform are kept: the name and e-mail an LMS sends about a child are
    not needed to take a quiz or post a grade, so they are never stored (nor logged).
    An admin may point an identity at an existing teacher account.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="identities")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["platform", "sub"], name="lti_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.platform} #{self.pk}"


class Course(models.Model):
    """An LMS course (``context``) whose students take one teacher's content: their classroom."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="courses")
    context_id = models.CharField(max_length=255)
    classroom = models.ForeignKey("accounts.Classroom", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "context_id", "classroom"], name="lti_course_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} course #{self.pk}"


class GradeLink(models.Model):
    """Where one student's score on one quiz goes: the line item of the launch they came from."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="grade_links")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grade_links"
    )
    quiz = models.ForeignKey("quizzes.Quiz", on_delete=models.CASCADE, related_name="+")
    sub = models.CharField(max_length=255)
    lineitem_url = models.URLField(max_length=1000)
    scopes = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "quiz", "lineitem_url"], name="lti_grade_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Grade link {self.pk}"


class GradePostStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "In the LMS gradebook"
    FAILED = "failed", "Failed: retrying"
    GAVE_UP = "gave_up", "Failed: needs a retry"


class GradePost(models.Model):
    """A score owed to an LMS gradebook. Kept until the LMS accepts it: never lost."""

    link = models.ForeignKey(GradeLink, on_delete=models.CASCADE, related_name="posts")
    attempt = models.OneToOneField(
        "quizzes.QuizAttempt", on_delete=models.CASCADE, related_name="lti_grade_post"
    )
    score = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    # The score's own timestamp, fixed once: a retried post says the same thing, so an LMS that
    # got an earlier try keeps one grade.
    scored_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=16, choices=GradePostStatus.choices, default=GradePostStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Grade post {self.pk} ({self.status})"
