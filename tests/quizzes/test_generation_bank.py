"""Tests for the offline quiz generator's curated question bank (pure Python, no Django, no
database).

Every bank entry is well formed; questions drawn from it keep the bank's answer and explanation,
prefer the matching grade band (falling back to a neighbouring one) and repeat only once the
bank is exhausted.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from curriculum.quizzes import DIFFICULTIES, SUBJECTS, generate_questions

BANK_FILE = Path(__file__).resolve().parents[2] / "curriculum" / "data" / "question_bank.json"
BANK_SUBJECTS = [s for s in SUBJECTS if s != "mathematics"]
BANDS = ("K-2", "3-5", "6-8", "9-12")


def _load_bank() -> dict:
    return json.loads(BANK_FILE.read_text(encoding="utf-8"))


# ---- curated bank -----------------------------------------------------------------------------


def test_question_bank__every_entry_well_formed():
    bank = _load_bank()["subjects"]
    assert set(bank) == set(BANK_SUBJECTS)
    ids = set()
    for subject, entries in bank.items():
        assert len(entries) >= 25, subject
        assert {e["band"] for e in entries} == set(BANDS), subject
        assert {e["difficulty"] for e in entries} == set(DIFFICULTIES), subject
        prompts = [e["prompt"] for e in entries]
        assert len(set(prompts)) == len(prompts), subject
        for entry in entries:
            assert entry["id"] not in ids
            ids.add(entry["id"])
            assert entry["band"] in BANDS and entry["difficulty"] in DIFFICULTIES
            assert entry["prompt"].strip() and entry["topic"].strip()
            assert entry["explanation"].strip()
            options = entry["options"]
            assert len(options) == 4, entry["id"]
            normalised = {" ".join(o.casefold().split()) for o in options}
            assert len(normalised) == 4, entry["id"]
            assert options.count(entry["answer"]) == 1, entry["id"]


@pytest.mark.parametrize("subject", BANK_SUBJECTS)
def test_generate_questions__bank_options_shuffled_around_bank_answer(subject):
    by_prompt = {e["prompt"]: e for e in _load_bank()["subjects"][subject]}
    questions = generate_questions(
        subject=subject, grade_level=6, difficulty="medium", question_count=20, seed=11
    )
    for question in questions:
        entry = by_prompt[question.prompt]
        assert sorted(question.options) == sorted(entry["options"])
        assert question.options[question.correct_index] == entry["answer"]
        assert question.explanation == entry["explanation"]


@pytest.mark.parametrize("subject", BANK_SUBJECTS)
def test_generate_questions__bank_prefers_matching_grade_band(subject):
    by_prompt = {e["prompt"]: e for e in _load_bank()["subjects"][subject]}
    for grade, band in ((1, "K-2"), (4, "3-5"), (7, "6-8"), (11, "9-12")):
        for difficulty in DIFFICULTIES:
            questions = generate_questions(
                subject=subject, grade_level=grade, difficulty=difficulty, question_count=5, seed=3
            )
            assert {by_prompt[q.prompt]["band"] for q in questions} == {band}


def test_generate_questions__bank_falls_back_to_neighbouring_band():
    entries = _load_bank()["subjects"]["history"]
    by_prompt = {e["prompt"]: e for e in entries}
    in_band = sum(e["band"] == "K-2" for e in entries)
    questions = generate_questions(
        subject="history", grade_level=0, difficulty="easy", question_count=in_band + 3, seed=5
    )
    bands = Counter(by_prompt[q.prompt]["band"] for q in questions)
    assert bands == {"K-2": in_band, "3-5": 3}


@pytest.mark.parametrize("subject", BANK_SUBJECTS)
def test_generate_questions__bank_repeats_only_after_exhaustion(subject):
    size = len(_load_bank()["subjects"][subject])
    unique = generate_questions(
        subject=subject, grade_level=8, difficulty="hard", question_count=size, seed=4
    )
    assert len({q.prompt for q in unique}) == size

    overflow = generate_questions(
        subject=subject, grade_level=8, difficulty="hard", question_count=50, seed=4
    )
    counts = Counter(q.prompt for q in overflow)
    assert len(counts) == size  # every bank question used before any repeats
    assert max(counts.values()) == 2
    assert all(a.prompt != b.prompt for a, b in zip(overflow, overflow[1:], strict=False))
