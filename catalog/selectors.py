"""What clients may ask for: the enumerations behind every content form, from the one
vocabulary (``curriculum``) and the generators' own limits, so a form built from it sends only
values the API accepts."""

from __future__ import annotations

from typing import Any

import curriculum
from curriculum import terrain as terrain_generation
from curriculum.lessons import MAX_OBJECTIVE_LENGTH, MAX_OBJECTIVES
from curriculum.quizzes import MAX_QUESTIONS, MIN_QUESTIONS
from lessons.models import Complexity, ContentType
from quizzes.models import Difficulty


def _choices(choices: type) -> list[dict[str, str]]:
    return [{"id": value, "label": label} for value, label in choices.choices]


def catalog_get() -> dict[str, Any]:
    aliases: dict[str, list[str]] = {}
    for alias, subject_id in curriculum.SUBJECT_ALIASES.items():
        aliases.setdefault(subject_id, []).append(alias)
    return {
        "subjects": [
            {
                "id": subject.id,
                "label": subject.label,
                "aliases": aliases.get(subject.id, []),
                "kinds": list(subject.kinds),
            }
            for subject in curriculum.SUBJECTS
        ],
        "grade_levels": [
            {
                "value": grade,
                "label": curriculum.grade_label(grade),
                "band": curriculum.grade_band(grade),
            }
            for grade in curriculum.GRADE_LEVELS
        ],
        "grade_bands": [
            {"id": name, "grades": list(grades)} for name, grades in curriculum.GRADE_BANDS
        ],
        "lesson": {
            "content_types": _choices(ContentType),
            "complexities": _choices(Complexity),
            "max_objectives": MAX_OBJECTIVES,
            "max_objective_length": MAX_OBJECTIVE_LENGTH,
        },
        "quiz": {
            "difficulties": _choices(Difficulty),
            "min_questions": MIN_QUESTIONS,
            "max_questions": MAX_QUESTIONS,
        },
        "terrain": {
            "biomes": list(terrain_generation.BIOMES),
            "min_size": terrain_generation.MIN_SIZE,
            "max_size": terrain_generation.MAX_SIZE,
        },
    }
