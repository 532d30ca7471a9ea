"""The pure curriculum core: the shared vocabulary, the content shapes and the generators.

No Django here (the content apps are thin Django layers over it), so it sits at the bottom of
the import layers and any of it can be run and tested without a database:

* :mod:`curriculum.vocabulary`: everything that more than one kind of content, the API and
  clients must agree on, so there is one list to change: the subjects (labels, aliases, which
  content kinds each can be generated in), the grade levels with their bands, lesson content
  types and complexities, quiz difficulties, ``MAX_SEED``. This package re-exports it.
* :mod:`curriculum.shapes`: one pydantic model per content kind, used by the offline
  generators and to validate the LLM's answers; the API, socket and stored-content schemas are
  built from them (:func:`~curriculum.shapes.reader_fields`, without the writers' limits).
* :mod:`curriculum.lessons`, :mod:`curriculum.quizzes`, :mod:`curriculum.terrain`: the offline,
  deterministic generators; their prose and banks are data files in ``curriculum/data/``.
"""

from curriculum.vocabulary import (
    COMPLEXITIES,
    CONTENT_KINDS,
    CONTENT_TYPES,
    DIFFICULTIES,
    GRADE_BAND_NAMES,
    GRADE_BANDS,
    GRADE_LEVELS,
    KINDERGARTEN,
    LESSON,
    LESSON_CONTENT_TYPES,
    MAX_GRADE_LEVEL,
    MAX_SEED,
    MIN_GRADE_LEVEL,
    QUIZ,
    SUBJECT_ALIASES,
    SUBJECTS,
    Subject,
    grade_band,
    grade_band_index,
    grade_label,
    grade_normalize,
    subject_ids,
    subject_label,
    subject_normalize,
)

__all__ = [
    "COMPLEXITIES",
    "CONTENT_KINDS",
    "CONTENT_TYPES",
    "DIFFICULTIES",
    "GRADE_BANDS",
    "GRADE_BAND_NAMES",
    "GRADE_LEVELS",
    "KINDERGARTEN",
    "LESSON",
    "LESSON_CONTENT_TYPES",
    "MAX_GRADE_LEVEL",
    "MAX_SEED",
    "MIN_GRADE_LEVEL",
    "QUIZ",
    "SUBJECTS",
    "SUBJECT_ALIASES",
    "Subject",
    "grade_band",
    "grade_band_index",
    "grade_label",
    "grade_normalize",
    "subject_ids",
    "subject_label",
    "subject_normalize",
]
