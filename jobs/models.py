from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class JobKind(models.TextChoices):
    LESSON = "lesson", "Lesson"
    QUIZ = "quiz", "Quiz"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class GenerationJob(models.Model):
    """A lesson or quiz generated in the background: its parameters, progress and outcome.

    The id is a random UUID: it appears in URLs (``/api/v1/jobs/<id>``, ``ws/jobs/<id>/``) and
    must not let anyone count or guess other people's jobs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    status = models.CharField(
        max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100")
    # The generation request as validated by the API (LessonIn / QuizIn without "background").
    params = models.JSONField(default=dict)
    content_id = models.PositiveIntegerField(null=True, blank=True)
    # Safe to show to the user: never an exception's text.
    error = models.CharField(max_length=300, blank=True, default="")
    # sentry-trace and baggage of the request that enqueued the job, so that every notification
    # about it (even a snapshot sent to a socket that subscribed late) joins that trace.
    trace_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} job {self.id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
