"""Tests for the offline quiz generator's contract (pure Python, no Django, no database).

For every subject: the correct answer's position varies, the same arguments give the same quiz
and another seed another, subject names are normalised, the requested number of well-formed
questions comes back, invalid arguments raise ``ValueError``, and a question rejects duplicate
options.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from curriculum.quizzes import SUBJECTS, QuizQuestion, generate_questions

# ---- position, determinism, counts ------------------------------------------------------------


@pytest.mark.parametrize("subject", SUBJECTS)
def test_generate_questions__correct_position_varies(subject):
    for seed in range(5):
        questions = generate_questions(
            subject=subject, grade_level=5, difficulty="medium", question_count=8, seed=seed
        )
        positions = Counter(q.correct_index for q in questions)
        assert set(positions) == {0, 1, 2, 3}
        assert max(positions.values()) == 2


@pytest.mark.parametrize("subject", SUBJECTS)
def test_generate_questions__same_arguments_same_output(subject):
    kwargs = dict(subject=subject, grade_level=7, difficulty="hard", question_count=15, seed=42)
    first = generate_questions(**kwargs)
    second = generate_questions(**kwargs)
    assert first == second
    assert [q.to_dict() for q in first] == [q.to_dict() for q in second]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_generate_questions__different_seed_different_output(subject):
    kwargs = dict(subject=subject, grade_level=7, difficulty="hard", question_count=15)
    assert generate_questions(**kwargs, seed=1) != generate_questions(**kwargs, seed=2)


def test_generate_questions__subject_name_is_normalised():
    kwargs = dict(grade_level=3, difficulty="easy", question_count=5, seed=9)
    assert generate_questions(subject="Maths", **kwargs) == generate_questions(
        subject="mathematics", **kwargs
    )
    assert generate_questions(subject="Computer Science", **kwargs) == generate_questions(
        subject="computer_science", **kwargs
    )


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("count", [1, 50])
def test_generate_questions__returns_requested_count(subject, count):
    questions = generate_questions(
        subject=subject, grade_level=9, difficulty="easy", question_count=count, seed=0
    )
    assert len(questions) == count
    for question in questions:
        data = question.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert set(data) == {
            "prompt",
            "options",
            "correct_index",
            "answer",
            "explanation",
            "topic",
        }
        assert data["explanation"].strip()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": "astrology"}, "unknown subject"),
        ({"subject": ""}, "unknown subject"),
        ({"difficulty": "extreme"}, "unknown difficulty"),
        ({"grade_level": -1}, "grade_level"),
        ({"grade_level": 13}, "grade_level"),
        ({"grade_level": "5"}, "grade_level"),
        ({"grade_level": True}, "grade_level"),
        ({"question_count": 0}, "question_count"),
        ({"question_count": 51}, "question_count"),
        ({"seed": "abc"}, "seed"),
    ],
)
def test_generate_questions__invalid_arguments_raise_value_error(overrides, message):
    kwargs = dict(subject="mathematics", grade_level=5, difficulty="easy", question_count=5, seed=1)
    kwargs.update(overrides)
    with pytest.raises(ValueError, match=message):
        generate_questions(**kwargs)


def test_question__rejects_duplicate_options():
    with pytest.raises(ValueError, match="duplicate"):
        QuizQuestion(
            prompt="?",
            options=("Paris", " paris", "Rome", "Oslo"),
            correct_index=0,
            explanation="x",
            topic="t",
        )
