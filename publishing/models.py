"""The abstract model of generated content that is published to classrooms."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import MaxValueValidator
from django.db import models

from providers.base import (
    MAX_GRADE_LEVEL,
    FallbackReasonChoices,
    ProviderChoices,
    SubjectChoices,
)


class PublishedContent(models.Model):
    """Generated for an owner by a provider, then published to some of their classrooms.

    Abstract: each kind keeps its own table, and this base changed none of them
    (``makemigrations --check`` finds nothing). Each kind declares its ``owner`` and
    ``classrooms`` itself: Django writes a related name like ``%(app_label)s`` into migrations
    as it is, which would be a migration for nothing.
    """

    #: The content's name in breadcrumbs, permission messages, signals and socket payloads.
    kind: ClassVar[str]
    #: Where the API serves one of them (``{id}`` filled in).
    api_url: ClassVar[str]

    owner_id: int  # owner = models.ForeignKey(settings.AUTH_USER_MODEL, ...) in each kind
    # The shared vocabulary (``curriculum``); rows written before it may hold other words.
    subject = models.CharField(max_length=100, choices=SubjectChoices.choices)
    grade_level = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(MAX_GRADE_LEVEL)], help_text="0 is kindergarten"
    )
    seed = models.PositiveIntegerField()
    provider = models.CharField(max_length=16, choices=ProviderChoices.choices)
    fallback_reason = models.CharField(
        max_length=32, choices=FallbackReasonChoices.choices, blank=True, default=""
    )
    # classrooms = models.ManyToManyField(Classroom, related_name=..., blank=True) in each kind
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "grade_level"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_level__lte=MAX_GRADE_LEVEL),
                name="%(class)s_grade_level_0_to_12",
            )
        ]

    def __str__(self) -> str:
        return self.title
