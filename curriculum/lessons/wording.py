"""The grade-band wording of lessons (``curriculum/data/lesson_wording.json``) and the numbers
that size them. Lists of four are indexed by grade band: K-2, 3-5, 6-8, 9-12."""

from __future__ import annotations

import json
from pathlib import Path

_WORDING = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "lesson_wording.json").read_text("utf-8")
)
#: How the text addresses the learner ("we" for the youngest).
YOU: tuple[str, ...] = tuple(_WORDING["you"])
#: How a subject is taught, per band; "general" for a subject without its own.
APPROACH: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDING["approach"].items()}
COMPLEXITY_NOTES: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _WORDING["complexity_notes"].items()
}
#: (introduction, part, wrap-up) headings per content type; ``part`` uses {n} and {heading}.
SECTION_HEADINGS: dict[str, tuple[str, str, str]] = {
    k: (v["introduction"], v["part"], v["wrap_up"]) for k, v in _WORDING["section_headings"].items()
}
PLAN: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDING["plan"].items()}
HOOKS: tuple[str, ...] = tuple(_WORDING["hooks"])
TYPE_NOTES: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _WORDING["type_notes"].items()}
WRAP_UP: tuple[str, ...] = tuple(_WORDING["wrap_up"])
NEXT_STEPS: dict[str, str] = dict(_WORDING["next_steps"])

# Sizing: minutes per objective section by band, time factors, and counts per lesson.


SECTION_MINUTES = (5, 8, 10, 12)
BAND_TIME_FACTOR = (0.7, 0.85, 1.0, 1.1)
COMPLEXITY_TIME_FACTOR = {"basic": 0.9, "intermediate": 1.0, "advanced": 1.2}
TYPE_SECTION_FACTOR = {"lesson": 1.0, "study_guide": 0.6, "activity": 0.5, "review": 0.6}

VOCABULARY_COUNTS = {"basic": (3, 4, 4, 5), "intermediate": (4, 5, 6, 6), "advanced": (5, 6, 8, 8)}
ACTIVITY_COUNTS = {
    "lesson": {"basic": 2, "intermediate": 3, "advanced": 3},
    "study_guide": {"basic": 1, "intermediate": 2, "advanced": 2},
    "activity": {"basic": 3, "intermediate": 4, "advanced": 5},
    "review": {"basic": 2, "intermediate": 2, "advanced": 3},
}
