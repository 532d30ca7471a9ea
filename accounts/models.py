from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    TEACHER = "teacher", "Teacher"
    STUDENT = "student", "Student"


class User(AbstractUser):
    """A person using ToolboxAI. Many are children: see the README on personal data."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    last_active = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        # Never the username: a user reaches Sentry events and log lines as the repr of a local
        # variable, a queryset or a form, and with PII off no username may leave the process,
        # whatever its length (redaction of known values cannot tell "leo" from any other word).
        # The admin shows the username in columns of its own.
        return f"User {self.pk} ({self.role})"

    def __repr__(self) -> str:
        return f"<User {self.pk} {self.role}>"

    @property
    def can_generate_content(self) -> bool:
        return self.role in (Role.TEACHER, Role.ADMIN)

    def permission_names(self) -> list[str]:
        """Sorted permission names, from the process's short-lived copy (two queries saved on
        every ``/auth/me``; a change of permissions or groups clears it, see
        ``monitoring.permissions.permission_names``)."""
        from monitoring.permissions import permission_names

        return permission_names(self)

    def save(self, *args, **kwargs) -> None:
        """A deactivated user's sessions end for good: reactivating the account later must not
        bring back tokens issued before (every path saves: admin, API, shell)."""
        super().save(*args, **kwargs)
        if not self.is_active:
            TokenFamily.objects.filter(user=self, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )


class TokenFamily(models.Model):
    """One login session: every access and refresh token derived from one login carries its id.

    Revoking the row ends the whole session at once (logout, a reused refresh token). Only the
    refresh token named by ``refresh_jti`` may be exchanged: rotation swaps it with a single
    conditional UPDATE, so of concurrent refreshes with one token exactly one wins. A session
    also ends when the user's password changes: ``password_fingerprint`` is the user's
    password-derived session hash at login (what Django uses to end admin sessions).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_families")
    refresh_jti = models.CharField(max_length=64)
    password_fingerprint = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "token families"

    def __str__(self) -> str:
        return str(self.id)


#: Join codes are read aloud and copied from a board by children: no 0/O, 1/I/L look-alikes.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8  # 31**8: about 8.5e11 codes, against 10 guesses per student per window


def join_code_new() -> str:
    """A fresh random join code (``secrets``: a guessable code would let strangers in)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def join_code_expiry() -> datetime:
    """When a code issued now stops working (``CLASSROOM_JOIN_CODE_TTL_DAYS``)."""
    return timezone.now() + timedelta(days=settings.CLASSROOM_JOIN_CODE_TTL_DAYS)


class Classroom(models.Model):
    """A teacher's class: content published to it is what its students were given.

    Students are never added by a teacher: a student joins by entering the class's join code
    (their consent, and proof that the teacher gave them the code), or an admin manages the
    roster. The teacher (or an admin) can rotate the code, which invalidates the old one.
    """

    name = models.CharField(max_length=200)
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="taught_classrooms")
    students = models.ManyToManyField(User, related_name="classrooms", blank=True)
    join_code = models.CharField(
        max_length=JOIN_CODE_LENGTH, unique=True, default=join_code_new, editable=False
    )
    join_code_expires_at = models.DateTimeField(default=join_code_expiry, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def join_code_valid(self) -> bool:
        return self.join_code_expires_at > timezone.now()
