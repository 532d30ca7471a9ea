"""Tests for grading a quiz attempt with ``grade_attempt`` (pure Python, no Django, no database).

Correct, wrong and unanswered questions are scored, full marks and none, and a length mismatch
or an invalid answer index raises ``ValueError``.
"""

from __future__ import annotations

import pytest

from curriculum.quizzes import generate_questions, grade_attempt

# ---- grading ----------------------------------------------------------------------------------


def _quiz_dicts(count: int = 4) -> list[dict]:
    return [
        q.to_dict()
        for q in generate_questions(
            subject="science", grade_level=4, difficulty="easy", question_count=count, seed=8
        )
    ]


def test_grade_attempt__scores_correct_wrong_and_unanswered():
    questions = _quiz_dicts(3)
    wrong = (questions[1]["correct_index"] + 1) % 4
    answers = [questions[0]["correct_index"], wrong, None]
    result = grade_attempt(questions=questions, answers=answers)
    assert result["score"] == 1
    assert result["total"] == 3
    assert result["percentage"] == 33.3
    assert [r["correct"] for r in result["results"]] == [True, False, False]
    assert [r["chosen"] for r in result["results"]] == answers
    assert [r["index"] for r in result["results"]] == [0, 1, 2]
    for question, row in zip(questions, result["results"], strict=True):
        assert row["correct_index"] == question["correct_index"]
        assert row["explanation"] == question["explanation"]


def test_grade_attempt__all_correct_scores_full_marks():
    questions = _quiz_dicts(7)
    result = grade_attempt(questions=questions, answers=[q["correct_index"] for q in questions])
    assert (result["score"], result["total"], result["percentage"]) == (7, 7, 100.0)
    result = grade_attempt(questions=questions, answers=[None] * 7)
    assert (result["score"], result["percentage"]) == (0, 0.0)


def test_grade_attempt__length_mismatch_raises():
    questions = _quiz_dicts(3)
    with pytest.raises(ValueError, match="expected 3 answers"):
        grade_attempt(questions=questions, answers=[0, 1])


@pytest.mark.parametrize("bad", [4, -1, True, "1"])
def test_grade_attempt__invalid_answer_index_raises(bad):
    questions = _quiz_dicts(2)
    with pytest.raises(ValueError):
        grade_attempt(questions=questions, answers=[0, bad])
