"""The product's shared vocabulary, in pure Python (no Django, no pydantic).

Everything that more than one kind of content, the API and clients must agree on lives here, so
there is one list to change: the subjects (with their display labels, the aliases people type and
which content kinds can be generated in each) and the grade levels with their bands. The offline
generators, the request schemas, the models' choices and ``GET /api/v1/catalog`` all read it.
"""

from curriculum.vocabulary import (
    CONTENT_KINDS,
    GRADE_BANDS,
    GRADE_LEVELS,
    KINDERGARTEN,
    LESSON,
    MAX_GRADE_LEVEL,
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
    "CONTENT_KINDS",
    "GRADE_BANDS",
    "GRADE_LEVELS",
    "KINDERGARTEN",
    "LESSON",
    "MAX_GRADE_LEVEL",
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
