"""Problems users report from any page ("Report a problem")."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Feedback(models.Model):
    """One report, stored scrubbed: the message may have been typed by a child, so names,
    e-mail addresses and phone numbers are redacted before it is saved (feedback.services)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        CLOSED = "closed", "Closed"

    class ContentKind(models.TextChoices):
        LESSON = "lesson", "Lesson"
        QUIZ = "quiz", "Quiz"
        TERRAIN = "terrain", "Terrain"
        SCRIPT = "script", "Script"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    role = models.CharField(max_length=16)
    message = models.TextField()
    content_kind = models.CharField(max_length=16, choices=ContentKind.choices, blank=True)
    content_id = models.PositiveBigIntegerField(null=True, blank=True)
    page_path = models.CharField(max_length=500, blank=True)
    # The Sentry event of the last error the page saw, and the feedback event we sent for this
    # report (linked to it in Sentry).
    sentry_event_id = models.CharField(max_length=32, blank=True)
    feedback_event_id = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"
