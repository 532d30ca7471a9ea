"""Offline, deterministic lesson generation.

Pure Python (no Django, no network). ``generate_lesson`` turns a subject, a grade and a list of
learning objectives into a structured, JSON-serialisable lesson plan:

* ``sections``: an introduction, one section per learning objective and a wrap-up. Headings and
  wording depend on the content type; sentence length and vocabulary follow the grade band
  (K-2, 3-5, 6-8, 9-12); the depth of each section follows the complexity
  (:mod:`~curriculum.lessons.wording`, ``curriculum/data/lesson_wording.json``).
* ``vocabulary``: terms from the curated per-subject glossary ``curriculum/data/glossary.json``
  (one for every subject of the shared vocabulary), preferring terms whose name or keywords
  match words in the objectives, then terms introduced at the learner's grade band
  (:mod:`~curriculum.lessons.glossary`).
* ``activities``: chosen from a library of classroom routines
  (``curriculum/data/lesson_activities.json``; subject-specific ones first for lessons and
  activity plans) and tied to the objectives (:mod:`~curriculum.lessons.activities`).
* ``assessment``: check-for-understanding items quoting each objective, vocabulary checks with
  the glossary definition as the answer, and, for mathematics, practice problems whose answers
  are computed by :func:`curriculum.quizzes.generate_math_question`
  (:mod:`~curriculum.lessons.assessment`).

Content types (``curriculum.LESSON_CONTENT_TYPES``):

``lesson``       a full teaching sequence (introduce, teach each objective, practise, check);
``study_guide``  a self-study summary: key ideas, more vocabulary, self-check activities;
``activity``     an activity-centred plan: brief framing and more hands-on activities;
``review``       a recap of material already taught with more check-for-understanding items.

Determinism: the only randomness is a :class:`random.Random` seeded with a SHA-256 digest of
all the arguments (:mod:`curriculum.seeds`), so the same inputs always produce the same lesson.
"""

from curriculum.lessons.generate import (
    MAX_OBJECTIVE_LENGTH,
    MAX_OBJECTIVES,
    SUBJECTS,
    generate_lesson,
)
from curriculum.lessons.glossary import GLOSSARY_PATH, load_glossary
from curriculum.vocabulary import COMPLEXITIES, CONTENT_TYPES

__all__ = [
    "COMPLEXITIES",
    "CONTENT_TYPES",
    "GLOSSARY_PATH",
    "MAX_OBJECTIVES",
    "MAX_OBJECTIVE_LENGTH",
    "SUBJECTS",
    "generate_lesson",
    "load_glossary",
]
