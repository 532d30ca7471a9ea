"""Grading a student's attempt against stored questions.

Kept apart from generation: it reads only what is stored (``QuizQuestion.to_dict``), so a quiz
written by the LLM grades exactly like an offline one, and a change to the generators can never
change the score of an attempt already made.
"""

from __future__ import annotations

from typing import Any


def grade_attempt(*, questions: list[dict], answers: list[int | None]) -> dict[str, Any]:
    """Grade a student's attempt.

    ``questions`` are dicts as produced by :meth:`QuizQuestion.to_dict` (only ``options``,
    ``correct_index`` and optionally ``explanation`` are used); ``answers`` are chosen option
    indexes, ``None`` meaning unanswered (counted as wrong).
    """
    if not isinstance(questions, list | tuple) or not isinstance(answers, list | tuple):
        raise ValueError("questions and answers must be lists")
    if len(questions) != len(answers):
        raise ValueError(
            f"expected {len(questions)} answers (one per question), got {len(answers)}"
        )
    results = []
    score = 0
    for index, (question, chosen) in enumerate(zip(questions, answers, strict=True)):
        if not isinstance(question, dict):
            raise ValueError(f"question {index} must be a dict")
        options = question.get("options")
        correct_index = question.get("correct_index")
        if not isinstance(options, list | tuple) or not options:
            raise ValueError(f"question {index} has no options")
        if (
            isinstance(correct_index, bool)
            or not isinstance(correct_index, int)
            or not 0 <= correct_index < len(options)
        ):
            raise ValueError(f"question {index} has an invalid correct_index")
        if chosen is not None:
            if isinstance(chosen, bool) or not isinstance(chosen, int):
                raise ValueError(f"answer {index} must be an option index or None")
            if not 0 <= chosen < len(options):
                raise ValueError(
                    f"answer {index} is out of range: {chosen} (question has {len(options)} "
                    "options)"
                )
        correct = chosen is not None and chosen == correct_index
        score += correct
        results.append(
            {
                "index": index,
                "correct": correct,
                "chosen": chosen,
                "correct_index": correct_index,
                "explanation": question.get("explanation", ""),
            }
        )
    total = len(questions)
    percentage = round(100.0 * score / total, 1) if total else 0.0
    return {"score": score, "total": total, "percentage": percentage, "results": results}
