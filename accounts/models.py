from __future__ import annotations

import uuid

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

    @property
    def can_generate_content(self) -> bool:
        return self.role in (Role.TEACHER, Role.ADMIN)

    def permission_names(self) -> list[str]:
        return sorted(self.get_all_permissions())

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


class Classroom(models.Model):
    """A teacher's class: content published to it is what its students were given."""

    name = models.CharField(max_length=200)
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="taught_classrooms")
    students = models.ManyToManyField(User, related_name="classrooms", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
