"""A checked lesson request with what every step of writing the lesson derives from it."""

from __future__ import annotations

from dataclasses import dataclass

from curriculum.lessons.objectives import Objective
from curriculum.vocabulary import LESSON_CONTENT_TYPES


@dataclass(frozen=True)
class LessonPlan:
    """What a lesson is written for: the request, checked and read."""

    subject: str  # canonical id
    subject_name: str
    grade: int
    band: int  # index into GRADE_BANDS
    content_type: str
    complexity: str
    seed: int
    objectives: list[Objective]

    @property
    def label(self) -> str:
        return LESSON_CONTENT_TYPES[self.content_type]
