"""The subjects and grades the generation forms offer.

One place reads them, so that switching to the shared curriculum vocabulary (``curriculum/``,
or ``GET /api/v1/catalog``) when it lands is a change to :func:`_source` alone. Until then they
come from the models and schemas the API itself validates against.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.models import Complexity, ContentType
from providers.base import MAX_GRADE_LEVEL, grade_label
from quizzes.models import Difficulty, Subject
from terrain.generation import BIOMES

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
        subjects=[(subject.value, subject.label) for subject in Subject],
        grades=[(str(grade), grade_label(grade)) for grade in range(MAX_GRADE_LEVEL + 1)],
        content_types=list(ContentType.choices),
        complexities=list(Complexity.choices),
        difficulties=list(Difficulty.choices),
        biomes=[(biome, biome.title()) for biome in BIOMES],
    )


def vocabulary_get() -> Vocabulary:
    """The choices every form offers (the values the API accepts)."""
    return _source()
