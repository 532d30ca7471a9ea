"""The sections of a lesson: an introduction, one section per objective and a wrap-up, in the
grade band's wording (:mod:`curriculum.lessons.wording`)."""

from __future__ import annotations

from typing import Any

from curriculum.lessons.assessment import focus_sentence, math_practice
from curriculum.lessons.glossary import Term
from curriculum.lessons.objectives import Objective
from curriculum.lessons.plan import LessonPlan
from curriculum.lessons.wording import (
    APPROACH,
    COMPLEXITY_NOTES,
    HOOKS,
    NEXT_STEPS,
    PLAN,
    SECTION_HEADINGS,
    TYPE_NOTES,
    WRAP_UP,
    YOU,
)
from curriculum.lessons.words import join_list, sentence


def sections_write(
    request: LessonPlan, key_terms: list[list[Term]], activities: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """An introduction, one section per objective and a wrap-up."""
    band, content_type, objectives = request.band, request.content_type, request.objectives
    intro_heading, part_heading, wrap_heading = SECTION_HEADINGS[content_type]
    if band == 0:
        plans = [o.text if o.is_action else f"learn about {o.text}" for o in objectives]
        intro_goal = f"Today {YOU[band]} will {join_list(plans)}."
    else:
        intro_goal = (
            f"By the end of this {request.label.lower()}, {YOU[band]} should be able to: "
            f"{'; '.join(o.goal for o in objectives)}."
        )
    intro = [intro_goal, HOOKS[band].format(focus=objectives[0].focus), PLAN[content_type][band]]
    sections = [{"heading": intro_heading, "body": " ".join(intro)}]
    activity_titles = {
        i: a["title"] for i, a in enumerate(activities) if a["objective"] is not None
    }
    for number, (objective, terms) in enumerate(zip(objectives, key_terms, strict=True), start=1):
        matching = [
            title for i, title in activity_titles.items() if i % len(objectives) == number - 1
        ]
        parts = _objective_section(request, number, objective, terms, matching)
        sections.append(
            {
                "heading": part_heading.format(n=number, heading=objective.heading),
                "body": " ".join(sentence(p) for p in parts),
            }
        )
    wrap = WRAP_UP[band].format(
        label=request.label.lower(), objectives="; ".join(o.text for o in objectives)
    )
    sections.append({"heading": wrap_heading, "body": f"{wrap} {NEXT_STEPS[content_type]}"})
    return sections


def _objective_section(
    request: LessonPlan, number: int, objective: Objective, terms: list[Term], activities: list[str]
) -> list[str]:
    """The sentences of one objective's section; ``activities`` are the titles tied to it."""
    band, content_type = request.band, request.content_type
    approach = APPROACH.get(request.subject, APPROACH["general"])[band]
    parts = [focus_sentence(objective, band, content_type), approach]
    if terms:
        if band <= 1:
            parts.append(
                ("Words to know: " if band == 0 else "Key terms: ")
                + "; ".join(f"{t.term} - {t.definition.rstrip('.')}" for t in terms)
                + "."
            )
        else:
            parts.append(
                f"Key terms: {join_list([t.term for t in terms])} (see the vocabulary list)."
            )
    if request.subject == "mathematics" and content_type in ("lesson", "study_guide"):
        example = math_practice(
            objective, request.grade, request.complexity, seed=request.seed * 1000 + number
        )
        if example:
            prompt = example[0] if example[0].endswith(("?", ".")) else example[0] + "."
            parts.append(f"Worked example: {prompt} Answer: {example[1]}")
    parts.append(COMPLEXITY_NOTES[request.complexity][band])
    note = TYPE_NOTES[content_type][band]
    if content_type == "activity" and activities:
        note = f'{note.rstrip(".")} (see "{activities[0]}").'
    parts.append(note)
    return parts
