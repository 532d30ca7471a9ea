"""``generate_lesson``: a subject, a grade and learning objectives in, a lesson plan out.

The lesson is written in steps that each read the checked request
(:class:`~curriculum.lessons.plan.LessonPlan`): the vocabulary, the activities, the sections
(:mod:`~curriculum.lessons.sections`), the assessment and the timing. Only the first two draw
from the random generator, in that order, so the same inputs always give the same lesson.
"""

from __future__ import annotations

import random
from typing import Any

from curriculum.lessons.activities import activities_select, activity_minutes
from curriculum.lessons.assessment import (
    example_item,
    explain_item,
    math_practice,
    transfer_item,
)
from curriculum.lessons.glossary import (
    GLOSSARY_PATH,
    MATCH_THRESHOLD,
    Term,
    glossary_terms,
    term_score,
    vocabulary_select,
)
from curriculum.lessons.objectives import Objective, objective_clean
from curriculum.lessons.plan import LessonPlan
from curriculum.lessons.sections import sections_write
from curriculum.lessons.wording import (
    ACTIVITY_COUNTS,
    COMPLEXITY_TIME_FACTOR,
    SECTION_MINUTES,
    TYPE_SECTION_FACTOR,
    VOCABULARY_COUNTS,
)
from curriculum.lessons.words import capitalise, join_list, shorten
from curriculum.seeds import seed_derive
from curriculum.shapes import LESSON_FIELDS, LessonContent
from curriculum.vocabulary import (
    COMPLEXITIES,
    CONTENT_TYPES,
    GRADE_BAND_NAMES,
    LESSON,
    grade_band_index,
    grade_label,
    grade_normalize,
    subject_ids,
    subject_label,
    subject_normalize,
)

#: Subjects lessons are generated in (``curriculum``): each has a curated glossary. A subject
#: without one is refused rather than written with the generic academic glossary alone.
SUBJECTS: tuple[str, ...] = subject_ids(LESSON)
MAX_OBJECTIVES = 10
MAX_OBJECTIVE_LENGTH = 300
#: Keeps lesson seeds apart from the other generators' (``curriculum.seeds``).
SEED_NAMESPACE = "toolboxai.lessons.v1"


def _resolve_subject(subject: object) -> tuple[str, str]:
    """(canonical id, display label); ``ValueError`` naming the allowed subjects otherwise."""
    key = subject_normalize(subject, kind=LESSON)
    return key, subject_label(key)


def _validate(
    grade_level: object,
    learning_objectives: object,
    content_type: object,
    complexity: object,
    seed: object,
) -> None:
    if isinstance(grade_level, bool) or not isinstance(grade_level, int):
        raise ValueError(f"grade_level must be an integer, got {grade_level!r}")
    grade_normalize(grade_level)  # names the allowed values
    if content_type not in CONTENT_TYPES:
        raise ValueError(
            f"unknown content_type {content_type!r}; expected one of: {', '.join(CONTENT_TYPES)}"
        )
    if complexity not in COMPLEXITIES:
        raise ValueError(
            f"unknown complexity {complexity!r}; expected one of: {', '.join(COMPLEXITIES)}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not isinstance(learning_objectives, list | tuple):
        raise ValueError("learning_objectives must be a list of strings")
    if not 1 <= len(learning_objectives) <= MAX_OBJECTIVES:
        raise ValueError(
            f"learning_objectives must contain between 1 and {MAX_OBJECTIVES} items, "
            f"got {len(learning_objectives)}"
        )
    for index, objective in enumerate(learning_objectives):
        if not isinstance(objective, str) or not objective.strip():
            raise ValueError(f"learning objective {index + 1} must be a non-empty string")
        if len(objective.strip()) > MAX_OBJECTIVE_LENGTH:
            raise ValueError(
                f"learning objective {index + 1} is longer than {MAX_OBJECTIVE_LENGTH} characters"
            )


def generate_lesson(
    *,
    subject: str,
    grade_level: int,
    learning_objectives: list[str],
    content_type: str,
    complexity: str,
    seed: int = 0,
) -> dict[str, Any]:
    """Generate a structured lesson plan (a JSON-serialisable dict). See the package docstring.

    The content (``LESSON_FIELDS``) has the :class:`~curriculum.shapes.LessonContent` shape an
    LLM's lesson is held to; the request's subject, grade, band, type, complexity and cleaned
    objectives come with it.
    """
    subject_key, subject_name = _resolve_subject(subject)
    _validate(grade_level, learning_objectives, content_type, complexity, seed)
    glossary = glossary_terms(str(GLOSSARY_PATH))
    terms = glossary.get(subject_key) or glossary["general"]
    glossary_stems = set().union(*(t.name_stems | t.keyword_stems for t in terms))
    request = LessonPlan(
        subject=subject_key,
        subject_name=subject_name,
        grade=grade_level,
        band=grade_band_index(grade_level),
        content_type=content_type,
        complexity=complexity,
        seed=seed,
        objectives=[objective_clean(o, glossary_stems) for o in learning_objectives],
    )
    rng = random.Random(
        seed_derive(
            SEED_NAMESPACE,
            subject_key,
            grade_level,
            tuple(o.text for o in request.objectives),
            content_type,
            complexity,
            seed,
        )
    )
    vocabulary = _vocabulary(request, rng, terms)
    key_terms = [_key_terms(objective, vocabulary) for objective in request.objectives]
    activities = _activities(request, rng, vocabulary)
    sections = sections_write(request, key_terms, activities)
    assessment = _assessment(request, key_terms, vocabulary)
    estimated = _estimated_minutes(request, activities, assessment)
    content = LessonContent.model_validate(
        {
            "title": _title(request),
            "summary": _summary(request, vocabulary, activities, assessment, estimated),
            "sections": sections,
            "vocabulary": [{"term": t.term, "definition": t.definition} for t in vocabulary],
            "activities": [{k: v for k, v in a.items() if k != "objective"} for a in activities],
            "assessment": assessment,
            "estimated_duration_minutes": estimated,
        }
    ).model_dump()
    return {
        "title": content["title"],
        "summary": content["summary"],
        "subject": subject_key,
        "grade_level": grade_level,
        "grade_band": GRADE_BAND_NAMES[request.band],
        "content_type": content_type,
        "complexity": complexity,
        "learning_objectives": [o.text for o in request.objectives],
        **{field: content[field] for field in LESSON_FIELDS[2:]},
    }


def _vocabulary(request: LessonPlan, rng: random.Random, terms: tuple[Term, ...]) -> list[Term]:
    count = VOCABULARY_COUNTS[request.complexity][request.band]
    count += 2 if request.content_type == "study_guide" else 0
    return vocabulary_select(
        rng, terms, request.objectives, request.band, count, request.complexity
    )


def _key_terms(objective: Objective, vocabulary: list[Term]) -> list[Term]:
    """Up to three of the lesson's terms that match one objective, best first."""
    scored = [(term_score(t, objective.stems), i, t) for i, t in enumerate(vocabulary)]
    return [
        t
        for score, _i, t in sorted(scored, key=lambda x: (-x[0], x[1]))
        if score >= MATCH_THRESHOLD
    ][:3]


def _activities(
    request: LessonPlan, rng: random.Random, vocabulary: list[Term]
) -> list[dict[str, Any]]:
    """The activities, each tied to an objective in turn (``objective`` is None for one that
    covers them all, such as a vocabulary match)."""
    objectives = request.objectives
    count = ACTIVITY_COUNTS[request.content_type][request.complexity]
    if request.content_type == "activity":
        count = max(count, min(len(objectives), 6))
    chosen = activities_select(
        rng, request.subject, request.content_type, request.complexity, request.band, count
    )
    term_names = [t.term for t in vocabulary[:5]] or ["the key terms"]
    activities = []
    for index, activity in enumerate(chosen):
        objective = objectives[index % len(objectives)]
        template = activity.instructions[0 if request.band == 0 else 1]
        focus = objective.focus
        if (
            activity.key in ("vocabulary_match", "flashcards", "exit_ticket")
            and len(objectives) > 1
        ):
            focus = "today's objectives" if request.content_type != "review" else "these objectives"
        activities.append(
            {
                "title": activity.title,
                "instructions": template.format(focus=focus, terms=join_list(term_names)),
                "duration_minutes": activity_minutes(activity, request.band, request.complexity),
                "objective": None if focus != objective.focus else objective.text,
            }
        )
    return activities


def _assessment(
    request: LessonPlan, key_terms: list[list[Term]], vocabulary: list[Term]
) -> list[dict[str, str]]:
    """Per objective: explain it, then (by complexity) an example, a transfer and, for
    mathematics, a computed practice problem; then vocabulary checks."""
    band, complexity, content_type = request.band, request.complexity, request.content_type
    assessment = []
    for number, (objective, terms) in enumerate(
        zip(request.objectives, key_terms, strict=True), start=1
    ):
        assessment.append(explain_item(objective, terms, band))
        if complexity != "basic" or content_type == "review":
            assessment.append(example_item(objective, band))
        if complexity == "advanced":
            assessment.append(transfer_item(objective, band))
        if request.subject == "mathematics":
            practice = math_practice(
                objective, request.grade, complexity, seed=request.seed * 1000 + 500 + number
            )
            if practice:
                assessment.append(
                    {
                        "question": f"Practice ({objective.text}): {practice[0]}",
                        "answer": practice[1],
                    }
                )
    checks = {"basic": 2, "intermediate": 3, "advanced": 4}[complexity]
    checks += 2 if content_type in ("review", "study_guide") else 0
    for term in vocabulary[:checks]:
        question = (
            f'What does the word "{term.term}" mean?'
            if band <= 1
            else f'Define "{term.term}" in your own words.'
        )
        assessment.append({"question": question, "answer": term.definition})
    return assessment


def _estimated_minutes(
    request: LessonPlan, activities: list[dict[str, Any]], assessment: list[dict[str, str]]
) -> int:
    band = request.band
    section_minutes = (
        SECTION_MINUTES[band]
        * COMPLEXITY_TIME_FACTOR[request.complexity]
        * TYPE_SECTION_FACTOR[request.content_type]
    )
    total = (
        5  # introduction
        + len(request.objectives) * section_minutes
        + sum(a["duration_minutes"] for a in activities)
        + len(assessment) * (1 if band == 0 else 1.5)
        + 5  # wrap-up
    )
    return max(10, int(5 * round(total / 5)))


def _summary(
    request: LessonPlan,
    vocabulary: list[Term],
    activities: list[dict[str, Any]],
    assessment: list[dict[str, str]],
    estimated: int,
) -> str:
    objectives = request.objectives
    article = "An" if request.complexity[0] in "aeiou" else "A"
    return (
        f"{article} {request.complexity} {request.label.lower()} for "
        f"{grade_label(request.grade)} {request.subject_name} "
        f"({GRADE_BAND_NAMES[request.band]}) covering {len(objectives)} learning "
        f"objective{'s' if len(objectives) != 1 else ''}: "
        f"{'; '.join(o.text for o in objectives)}. It includes {len(vocabulary)} key terms, "
        f"{len(activities)} activit{'ies' if len(activities) != 1 else 'y'} and "
        f"{len(assessment)} check-for-understanding questions (about {estimated} minutes)."
    )


def _title(request: LessonPlan) -> str:
    objectives = request.objectives
    title = f"{request.subject_name} {request.label}: {shorten(capitalise(objectives[0].text), 60)}"
    if len(objectives) > 1:
        title += f" (+{len(objectives) - 1} more)"
    return title
