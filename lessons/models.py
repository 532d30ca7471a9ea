from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from accounts.models import Classroom
from providers.base import (
    MAX_GRADE_LEVEL,
    FallbackReasonChoices,
    ProviderChoices,
    SubjectChoices,
)


class ContentType(models.TextChoices):
    LESSON = "lesson", "Lesson"
    STUDY_GUIDE = "study_guide", "Study guide"
    ACTIVITY = "activity", "Activity plan"
    REVIEW = "review", "Review"


class Complexity(models.TextChoices):
    BASIC = "basic", "Basic"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Lesson(models.Model):
    """A generated lesson plan. Students see it once it is published to one of their classes."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lessons"
    )
    # The shared vocabulary (``curriculum``); rows written before it may hold other words.
    subject = models.CharField(max_length=100, choices=SubjectChoices.choices)
    grade_level = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(MAX_GRADE_LEVEL)], help_text="0 is kindergarten"
    )
    learning_objectives = models.JSONField(default=list)
    content_type = models.CharField(max_length=16, choices=ContentType.choices)
    complexity = models.CharField(max_length=16, choices=Complexity.choices)
    title = models.CharField(max_length=300)
    # summary, sections, vocabulary, activities, assessment, estimated_duration_minutes
    content = models.JSONField(default=dict)
    provider = models.CharField(max_length=16, choices=ProviderChoices.choices)
    fallback_reason = models.CharField(
        max_length=32, choices=FallbackReasonChoices.choices, blank=True, default=""
    )
    seed = models.PositiveIntegerField()
    classrooms = models.ManyToManyField(Classroom, related_name="lessons", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "grade_level"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_level__lte=MAX_GRADE_LEVEL),
                name="lesson_grade_level_0_to_12",
            )
        ]

    def __str__(self) -> str:
        return self.title
