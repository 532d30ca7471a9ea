from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


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
        return sorted(self.get_all_permissions())


class RevokedToken(models.Model):
    """A JWT id that must no longer be accepted (logout, refresh rotation)."""

    jti = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.jti


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
