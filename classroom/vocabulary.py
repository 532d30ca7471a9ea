"""The subjects and grades the generation forms offer: the one vocabulary the API validates
against (``curriculum/``, also served as ``GET /api/v1/catalog``)."""

from __future__ import annotations

from dataclasses import dataclass

from curriculum.terrain import BIOMES
from curriculum.vocabulary import (
    MAX_GRADE_LEVEL,
    MIN_GRADE_LEVEL,
    grade_label,
    subject_ids,
    subject_label,
)
from lessons.models import Complexity, ContentType
from quizzes.models import Difficulty

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class Vocabulary:
    subjects: Choices
    grades: Choices
    content_types: Choices
    complexities: Choices
    difficulties: Choices
    biomes: Choices


def _source() -> Vocabulary:
    return Vocabulary(
        subjects=[(subject, subject_label(subject)) for subject in subject_ids()],
        grades=[
            (str(grade), grade_label(grade))
            for grade in range(MIN_GRADE_LEVEL, MAX_GRADE_LEVEL + 1)
        ],
        content_types=list(ContentType.choices),
        complexities=list(Complexity.choices),
        difficulties=list(Difficulty.choices),
        biomes=[(biome, biome.title()) for biome in BIOMES],
    )


def vocabulary_get() -> Vocabulary:
    """The choices every form offers (the values the API accepts)."""
    return _source()
