"""Offline, deterministic quiz generation.

Pure Python (no Django, no network). Two sources of questions:

* **Mathematics** is procedural: every question is built from random operands and its answer is
  *computed* (integers and :class:`fractions.Fraction`), never looked up. Distractors come from
  common mistakes (off by one, wrong operation, sign errors, adding denominators, evaluating
  left to right, ...) and are always different *in value* from the answer and from each other.
  Fractions are always shown in lowest terms, so two options never have the same value.
* **Other subjects** come from the curated bank ``quizzes/data/question_bank.json``. Questions
  are picked by fit (grade band first, then difficulty) with fallback to neighbouring bands and
  difficulties. No question repeats within a quiz until every question of the subject has been
  used once; only when ``question_count`` exceeds the size of the subject's bank does the
  selection start a new (reshuffled) pass, so repeats then become possible.

Determinism: all randomness comes from one :class:`random.Random` whose seed is a SHA-256 digest
of every argument, so the same arguments always give the same quiz (across processes and
``PYTHONHASHSEED`` values). The correct option's position is drawn from consecutive shuffled
blocks of ``0..3``, so it varies across a quiz and is evenly spread.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import curriculum
from curriculum import QUIZ, grade_band_index, subject_ids, subject_normalize

__all__ = [
    "BANK_PATH",
    "DIFFICULTIES",
    "GRADE_BANDS",
    "GRADE_LEVELS",
    "MATH_TOPICS",
    "MAX_QUESTIONS",
    "MIN_QUESTIONS",
    "OPTIONS_PER_QUESTION",
    "SUBJECTS",
    "Question",
    "generate_math_question",
    "generate_questions",
    "grade_attempt",
    "grade_band",
    "load_question_bank",
    "math_topics_for",
    "normalize_subject",
]

#: Subjects quizzes are generated in: the shared vocabulary's (``curriculum``).
SUBJECTS: tuple[str, ...] = subject_ids(QUIZ)
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
#: Grade levels K..12 as ints; 0 is kindergarten.
GRADE_LEVELS: tuple[int, ...] = curriculum.GRADE_LEVELS
GRADE_BANDS: tuple[str, ...] = tuple(name for name, _ in curriculum.GRADE_BANDS)
MIN_QUESTIONS = 1
MAX_QUESTIONS = 50
OPTIONS_PER_QUESTION = 4
BANK_PATH = Path(__file__).resolve().parent / "data" / "question_bank.json"

_SEED_NAMESPACE = "toolboxai.quizzes.v1"


# --------------------------------------------------------------------------------------------
# Public data type
# --------------------------------------------------------------------------------------------


def _normalise_option(text: str) -> str:
    return " ".join(str(text).casefold().split())


@dataclass(frozen=True)
class Question:
    """A multiple-choice question. ``options[correct_index]`` is the right answer."""

    prompt: str
    options: tuple[str, ...]
    correct_index: int
    explanation: str
    topic: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if len(self.options) < 2:
            raise ValueError("a question needs at least two options")
        if not 0 <= self.correct_index < len(self.options):
            raise ValueError("correct_index is out of range")
        normalised = [_normalise_option(option) for option in self.options]
        if len(set(normalised)) != len(normalised):
            raise ValueError(f"duplicate options in question {self.prompt!r}: {self.options}")

    @property
    def answer(self) -> str:
        return self.options[self.correct_index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "options": list(self.options),
            "correct_index": self.correct_index,
            "answer": self.answer,
            "explanation": self.explanation,
            "topic": self.topic,
        }


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def normalize_subject(subject: str) -> str:
    """Return the canonical subject name (``"Computer Science"`` -> ``"computer_science"``).

    Raises ``ValueError`` naming the allowed values for a subject quizzes are not made in.
    """
    return subject_normalize(subject, kind=QUIZ)


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _check_grade(grade_level: object) -> int:
    return _check_int("grade_level", grade_level, GRADE_LEVELS[0], GRADE_LEVELS[-1])


def _check_difficulty(difficulty: object) -> str:
    if not isinstance(difficulty, str) or difficulty.strip().lower() not in DIFFICULTIES:
        raise ValueError(
            f"unknown difficulty {difficulty!r}; expected one of: {', '.join(DIFFICULTIES)}"
        )
    return difficulty.strip().lower()


def grade_band(grade_level: int) -> str:
    """Grade band label for a grade: ``"K-2"``, ``"3-5"``, ``"6-8"`` or ``"9-12"``."""
    grade = _check_grade(grade_level)
    return GRADE_BANDS[_band_index(grade)]


def _band_index(grade: int) -> int:
    return grade_band_index(grade)


def _derive_seed(*parts: object) -> int:
    payload = "\x1f".join([_SEED_NAMESPACE, *(repr(part) for part in parts)]).encode("utf-8")
    return int.from_bytes(hashlib.sha256(payload).digest()[:8], "big")


def _position_schedule(rng: random.Random, count: int) -> list[int]:
    """Correct-answer positions: consecutive shuffled blocks of 0..3 (balanced and varied)."""
    positions: list[int] = []
    while len(positions) < count:
        block = list(range(OPTIONS_PER_QUESTION))
        rng.shuffle(block)
        positions.extend(block)
    return positions[:count]


def _place(rng: random.Random, answer: str, distractors: Sequence[str], position: int):
    others = list(distractors)
    rng.shuffle(others)
    options = others[:position] + [answer] + others[position:]
    return tuple(options), position


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def generate_questions(
    *, subject: str, grade_level: int, difficulty: str, question_count: int, seed: int
) -> list[Question]:
    """Generate ``question_count`` multiple-choice questions.

    Deterministic: the same arguments always produce the same list.
    """
    subject_key = normalize_subject(subject)
    grade = _check_grade(grade_level)
    level = _check_difficulty(difficulty)
    count = _check_int("question_count", question_count, MIN_QUESTIONS, MAX_QUESTIONS)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")

    rng = random.Random(_derive_seed(subject_key, grade, level, count, seed))
    positions = _position_schedule(rng, count)
    if subject_key == "mathematics":
        return _generate_math(rng, grade, level, positions)
    return _generate_from_bank(rng, subject_key, grade, level, positions)


def grade_attempt(*, questions: list[dict], answers: list[int | None]) -> dict[str, Any]:
    """Grade a student's attempt.

    ``questions`` are dicts as produced by :meth:`Question.to_dict` (only ``options``,
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


# --------------------------------------------------------------------------------------------
# Curated bank (non-mathematics subjects)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BankEntry:
    id: str
    band: str
    difficulty: str
    topic: str
    prompt: str
    options: tuple[str, ...]
    answer: str
    explanation: str


def load_question_bank(path: Path | str = BANK_PATH) -> dict[str, list[dict[str, Any]]]:
    """Return the curated bank as ``{subject: [entry, ...]}`` (validated; copies)."""
    return {
        subject: [dict(entry.__dict__, options=list(entry.options)) for entry in entries]
        for subject, entries in _load_bank(str(path)).items()
    }


@lru_cache(maxsize=4)
def _load_bank(path: str) -> dict[str, tuple[_BankEntry, ...]]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    bank: dict[str, tuple[_BankEntry, ...]] = {}
    for subject, items in raw["subjects"].items():
        entries = []
        for item in items:
            entry = _BankEntry(
                id=item["id"],
                band=item["band"],
                difficulty=item["difficulty"],
                topic=item["topic"],
                prompt=item["prompt"],
                options=tuple(item["options"]),
                answer=item["answer"],
                explanation=item["explanation"],
            )
            _validate_bank_entry(subject, entry)
            entries.append(entry)
        bank[subject] = tuple(entries)
    return bank


def _validate_bank_entry(subject: str, entry: _BankEntry) -> None:
    where = f"question bank entry {subject}/{entry.id}"
    if entry.band not in GRADE_BANDS:
        raise ValueError(f"{where}: unknown band {entry.band!r}")
    if entry.difficulty not in DIFFICULTIES:
        raise ValueError(f"{where}: unknown difficulty {entry.difficulty!r}")
    if len(entry.options) != OPTIONS_PER_QUESTION:
        raise ValueError(f"{where}: needs exactly {OPTIONS_PER_QUESTION} options")
    if len({_normalise_option(option) for option in entry.options}) != len(entry.options):
        raise ValueError(f"{where}: duplicate options")
    if entry.options.count(entry.answer) != 1:
        raise ValueError(f"{where}: answer must appear exactly once among the options")
    if not entry.prompt.strip() or not entry.explanation.strip():
        raise ValueError(f"{where}: prompt and explanation must be non-empty")


def _bank_cost(entry: _BankEntry, band: int, difficulty: str) -> float:
    """Lower is a better fit. Grade band matters more than difficulty; easier bands win ties."""
    band_offset = GRADE_BANDS.index(entry.band) - band
    difficulty_offset = abs(DIFFICULTIES.index(entry.difficulty) - DIFFICULTIES.index(difficulty))
    return 3 * abs(band_offset) + (0.5 if band_offset > 0 else 0) + difficulty_offset


def _bank_pass(
    rng: random.Random, entries: Sequence[_BankEntry], band: int, difficulty: str
) -> list[_BankEntry]:
    """One pass over the whole bank: best-fitting tiers first, shuffled within a tier."""
    tiers: dict[float, list[_BankEntry]] = {}
    for entry in entries:
        tiers.setdefault(_bank_cost(entry, band, difficulty), []).append(entry)
    ordered: list[_BankEntry] = []
    for cost in sorted(tiers):
        tier = tiers[cost]
        rng.shuffle(tier)
        ordered.extend(tier)
    return ordered


def _generate_from_bank(
    rng: random.Random, subject: str, grade: int, difficulty: str, positions: list[int]
) -> list[Question]:
    entries = _load_bank(str(BANK_PATH)).get(subject, ())
    if not entries:
        raise ValueError(f"the question bank has no questions for subject {subject!r}")
    band = _band_index(grade)
    count = len(positions)
    chosen: list[_BankEntry] = []
    while len(chosen) < count:
        # Each pass uses every entry once; a second pass only starts when the bank is exhausted.
        selection = _bank_pass(rng, entries, band, difficulty)[: count - len(chosen)]
        rng.shuffle(selection)
        if chosen and len(selection) > 1 and selection[0] is chosen[-1]:
            selection.append(selection.pop(0))
        chosen.extend(selection)

    questions = []
    for entry, position in zip(chosen, positions, strict=True):
        distractors = [option for option in entry.options if option != entry.answer]
        options, correct_index = _place(rng, entry.answer, distractors, position)
        questions.append(
            Question(
                prompt=entry.prompt,
                options=options,
                correct_index=correct_index,
                explanation=entry.explanation,
                topic=f"{subject}.{entry.topic}",
            )
        )
    return questions


# --------------------------------------------------------------------------------------------
# Mathematics (procedural)
# --------------------------------------------------------------------------------------------

# Topics per difficulty; which ones apply depends on the grade (see math_topics_for).
#   easy:   arithmetic.addition, arithmetic.subtraction, arithmetic.multiplication (grade 2+)
#   medium: K-2 -> arithmetic.three_addends, arithmetic.missing_number;
#           3+  -> fractions.add, fractions.subtract, order_of_operations,
#                  fractions.multiply (4+), percentages (6+)
#   hard:   K-2 -> arithmetic.two_step, arithmetic.missing_number;
#           3-4 -> arithmetic.division, linear_equations (one step);
#           5+  -> linear_equations, exponents, arithmetic.division (5 only),
#                  systems_of_equations (8+), quadratic_equations (9+)


def math_topics_for(*, grade_level: int, difficulty: str) -> tuple[str, ...]:
    """The mathematics topics used for a grade and difficulty."""
    grade = _check_grade(grade_level)
    level = _check_difficulty(difficulty)
    if level == "easy":
        topics = ["arithmetic.addition", "arithmetic.subtraction"]
        if grade >= 2:
            topics.append("arithmetic.multiplication")
    elif level == "medium":
        if grade <= 2:
            topics = ["arithmetic.three_addends", "arithmetic.missing_number"]
        else:
            topics = ["fractions.add", "fractions.subtract", "order_of_operations"]
            if grade >= 4:
                topics.append("fractions.multiply")
            if grade >= 6:
                topics.append("percentages")
    else:
        if grade <= 2:
            topics = ["arithmetic.two_step", "arithmetic.missing_number"]
        elif grade <= 4:
            topics = ["arithmetic.division", "linear_equations"]
        else:
            topics = ["linear_equations", "exponents"]
            if grade == 5:
                topics.append("arithmetic.division")
            if grade >= 8:
                topics.append("systems_of_equations")
            if grade >= 9:
                topics.append("quadratic_equations")
    return tuple(topics)


@dataclass(frozen=True)
class _Choice:
    key: Hashable  # value identity: two choices with equal keys are the same answer
    text: str


@dataclass
class _MathItem:
    topic: str
    prompt: str
    answer: _Choice
    explanation: str
    mistakes: list[_Choice]
    near: Callable[[random.Random], _Choice | None]
    extra: dict[str, Any] = field(default_factory=dict)


class _Retry(Exception):
    """Raised by a generator when the random draw is unsuitable; the caller draws again."""


def _fmt(value: Fraction | int) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _num(value: Fraction | int, suffix: str = "") -> _Choice:
    value = Fraction(value)
    return _Choice(key=("number", value), text=_fmt(value) + suffix)


def _operand(value: Fraction | int, first: bool = False) -> str:
    """Format an operand inside an expression; negatives are parenthesised after the first."""
    text = _fmt(value)
    if Fraction(value) < 0 and not first:
        return f"({text})"
    return text


def _negatives_ok(grade: int) -> bool:
    return grade >= 7


def _is_int(value: Fraction) -> bool:
    return Fraction(value).denominator == 1


def _plausible_number(
    grade: int, *, integer: bool = True, limit: int = 10**7
) -> Callable[[Fraction], bool]:
    def check(value: Fraction) -> bool:
        value = Fraction(value)
        if integer and value.denominator != 1:
            return False
        if value < 0 and not _negatives_ok(grade):
            return False
        return abs(value) <= limit

    return check


def _number_choices(
    values: Sequence[Fraction | int], ok: Callable[[Fraction], bool], suffix: str = ""
) -> list[_Choice]:
    return [_num(value, suffix) for value in values if ok(Fraction(value))]


def _near_number(
    answer: Fraction | int, ok: Callable[[Fraction], bool], spread: int | None = None, suffix=""
) -> Callable[[random.Random], _Choice | None]:
    answer = Fraction(answer)
    if spread is None:
        spread = max(3, int(abs(answer)) // 8)

    def near(rng: random.Random) -> _Choice | None:
        step = Fraction(1, answer.denominator)
        candidate = answer + step * rng.choice([-1, 1]) * rng.randint(1, spread)
        return _num(candidate, suffix) if ok(candidate) else None

    return near


def _generate_math(
    rng: random.Random, grade: int, difficulty: str, positions: list[int]
) -> list[Question]:
    topics = list(math_topics_for(grade_level=grade, difficulty=difficulty))
    rotation: list[str] = []
    seen_prompts: set[str] = set()
    questions = []
    for position in positions:
        if not rotation:  # cycle through shuffled topics so a quiz mixes them evenly
            rotation = topics[:]
            rng.shuffle(rotation)
        topic = rotation.pop()
        item = None
        for _attempt in range(60):
            try:
                candidate = _MATH_GENERATORS[topic](rng, grade, difficulty)
            except _Retry:
                continue
            item = candidate
            if candidate.prompt not in seen_prompts:
                break
        if item is None:  # pragma: no cover - generators always succeed within a few draws
            raise RuntimeError(f"could not generate a {topic} question")
        seen_prompts.add(item.prompt)
        questions.append(_build_math_question(rng, item, position))
    return questions


def _pick_distractors(rng: random.Random, item: _MathItem) -> list[str]:
    needed = OPTIONS_PER_QUESTION - 1
    keys = {item.answer.key}
    texts = {_normalise_option(item.answer.text)}
    chosen: list[str] = []

    def consider(choice: _Choice | None) -> None:
        if choice is None or len(chosen) >= needed:
            return
        norm = _normalise_option(choice.text)
        if choice.key in keys or norm in texts:
            return
        keys.add(choice.key)
        texts.add(norm)
        chosen.append(choice.text)

    mistakes = list(item.mistakes)
    rng.shuffle(mistakes)
    for choice in mistakes:
        consider(choice)
    for _attempt in range(500):
        if len(chosen) >= needed:
            break
        consider(item.near(rng))
    if len(chosen) < needed:  # pragma: no cover - near() always has enough room
        raise RuntimeError(f"could not build distractors for {item.prompt!r}")
    return chosen


# ---- arithmetic -----------------------------------------------------------------------------


def _addition_range(grade: int) -> tuple[int, int]:
    return {0: (0, 10), 1: (0, 20), 2: (10, 99), 3: (100, 999), 4: (100, 999)}.get(
        grade, (1000, 9999) if grade <= 6 else (-99, 99) if grade <= 8 else (-999, 999)
    )


def _digitwise(a: int, b: int, op: Callable[[int, int], int]) -> int:
    """Combine two non-negative numbers digit by digit (models carrying/borrowing errors)."""
    width = max(len(str(a)), len(str(b)))
    da, db = str(a).zfill(width), str(b).zfill(width)
    return int("".join(str(op(int(x), int(y))) for x, y in zip(da, db, strict=True)))


def _gen_addition(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    low, high = _addition_range(grade)
    ok = _plausible_number(grade)
    if grade <= 1:
        a = rng.randint(1, high - 1)
        b = rng.randint(1, high - a)
    else:
        a, b = rng.randint(low, high), rng.randint(low, high)
        if low < 0 and a >= 0 and b >= 0:
            b = -b if rng.random() < 0.5 else b
    answer = a + b
    mistakes = [answer + 1, answer - 1, a - b, answer + 10, answer - 10]
    if a >= 0 and b >= 0:
        mistakes.append(_digitwise(a, b, lambda x, y: (x + y) % 10))  # forgot to carry
    else:
        mistakes += [-answer, abs(a) + abs(b), -(abs(a) + abs(b))]
    return _MathItem(
        topic="arithmetic.addition",
        prompt=f"What is {_operand(a, True)} + {_operand(b)}?",
        answer=_num(answer),
        explanation=f"{_operand(a, True)} + {_operand(b)} = {answer}.",
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(answer, ok),
    )


def _gen_subtraction(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    low, high = _addition_range(grade)
    ok = _plausible_number(grade)
    if grade <= 1:
        a = rng.randint(2, high)
        b = rng.randint(1, a - 1)
    elif low >= 0:
        a, b = sorted((rng.randint(low, high), rng.randint(low, high)), reverse=True)
        if a == b:
            raise _Retry
    else:
        a, b = rng.randint(low, high), rng.randint(low, high)
    answer = a - b
    mistakes = [answer + 1, answer - 1, a + b, answer + 10, answer - 10]
    if low >= 0:
        mistakes.append(_digitwise(a, b, lambda x, y: abs(x - y)))  # smaller-from-larger
    else:
        mistakes += [-answer, a + b, -(a + b)]
    return _MathItem(
        topic="arithmetic.subtraction",
        prompt=f"What is {_operand(a, True)} - {_operand(b)}?",
        answer=_num(answer),
        explanation=f"{_operand(a, True)} - {_operand(b)} = {answer}.",
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(answer, ok),
    )


def _gen_multiplication(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    ok = _plausible_number(grade)
    if grade == 2:
        a, b = rng.randint(1, 5), rng.randint(1, 10)
    elif grade == 3:
        a, b = rng.randint(2, 10), rng.randint(2, 10)
    elif grade == 4:
        a, b = rng.randint(2, 12), rng.randint(2, 12)
    elif grade <= 6:
        a, b = rng.randint(11, 99), rng.randint(2, 9)
    elif grade <= 8:
        a = rng.choice([-1, 1]) * rng.randint(2, 12)
        b = rng.choice([-1, 1]) * rng.randint(2, 12)
    else:
        a = rng.choice([-1, 1]) * rng.randint(11, 99)
        b = rng.choice([-1, 1]) * rng.randint(2, 25)
    if rng.random() < 0.5:
        a, b = b, a
    answer = a * b
    mistakes = [a * (b + 1), a * (b - 1), (a + 1) * b, (a - 1) * b, a + b, answer + 10, -answer]
    return _MathItem(
        topic="arithmetic.multiplication",
        prompt=f"What is {_operand(a, True)} × {_operand(b)}?",
        answer=_num(answer),
        explanation=f"{_operand(a, True)} × {_operand(b)} = {answer}.",
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(answer, ok, spread=max(3, abs(min(abs(a), abs(b))))),
    )


def _gen_division(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    ok = _plausible_number(grade)
    if grade == 3:
        divisor, quotient = rng.randint(2, 9), rng.randint(2, 10)
    elif grade == 4:
        divisor, quotient = rng.randint(2, 12), rng.randint(2, 12)
    else:
        divisor, quotient = rng.randint(3, 9), rng.randint(12, 111)
    dividend = divisor * quotient
    mistakes = [quotient + 1, quotient - 1, dividend - divisor, quotient + 10, quotient * 10]
    return _MathItem(
        topic="arithmetic.division",
        prompt=f"What is {dividend} ÷ {divisor}?",
        answer=_num(quotient),
        explanation=f"{dividend} ÷ {divisor} = {quotient}, because {divisor} × {quotient} = "
        f"{dividend}.",
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(quotient, ok),
    )


def _small_limit(grade: int) -> int:
    return {0: 10, 1: 20}.get(grade, 100)


def _gen_three_addends(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    limit = _small_limit(grade)
    ok = _plausible_number(grade)
    top = max(3, limit // 3)
    a, b, c = rng.randint(1, top), rng.randint(1, top), rng.randint(1, top)
    if a + b + c > limit:
        raise _Retry
    answer = a + b + c
    mistakes = [a + b, b + c, answer + 1, answer - 1, answer + 10]
    return _MathItem(
        topic="arithmetic.three_addends",
        prompt=f"What is {a} + {b} + {c}?",
        answer=_num(answer),
        explanation=f"Add two numbers first, then the third: {a} + {b} = {a + b}, and "
        f"{a + b} + {c} = {answer}.",
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(answer, ok),
    )


def _gen_two_step(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    limit = _small_limit(grade)
    ok = _plausible_number(grade)
    a = rng.randint(limit // 2, limit)
    b = rng.randint(1, a - 1)
    c = rng.randint(1, max(1, limit - (a - b)))
    answer = a - b + c
    mistakes = [a - (b + c), a + b + c, answer + 1, answer - 1, a - b, answer + 10]
    return _MathItem(
        topic="arithmetic.two_step",
        prompt=f"What is {a} - {b} + {c}?",
        answer=_num(answer),
        explanation=f"Work from left to right: {a} - {b} = {a - b}, then {a - b} + {c} = {answer}.",
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(answer, ok),
    )


def _gen_missing_number(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    limit = _small_limit(grade)
    ok = _plausible_number(grade)
    forms = ["a+?"] if difficulty == "medium" else ["?-b", "a-?", "?+b"]
    if difficulty == "hard" and grade == 2:
        forms.append("a×?")
    form = rng.choice(forms)
    if form == "a×?":
        a, missing = rng.randint(2, 5), rng.randint(2, 10)
        total = a * missing
        equation, mistakes = f"{a} × □ = {total}", [total - a, total + a, missing + 1]
        why = f"{a} × {missing} = {total}, so the missing number is {missing}."
    elif form in ("a+?", "?+b"):
        total = rng.randint(3, limit)
        missing = rng.randint(1, total - 1)
        a = total - missing
        equation = f"{a} + □ = {total}" if form == "a+?" else f"□ + {a} = {total}"
        mistakes = [total + a, total, missing + 1, missing - 1]
        why = f"{total} - {a} = {missing}, and {a} + {missing} = {total}."
    elif form == "?-b":
        result = rng.randint(1, limit // 2)
        b = rng.randint(1, limit // 2)
        missing = result + b
        equation = f"□ - {b} = {result}"
        mistakes = [result - b, result, missing + 1, missing - 1]
        why = f"Add to undo the subtraction: {result} + {b} = {missing}, and {missing} - {b} = "
        why += f"{result}."
    else:
        a = rng.randint(3, limit)
        missing = rng.randint(1, a - 1)
        result = a - missing
        equation = f"{a} - □ = {result}"
        mistakes = [a + result, result, missing + 1, missing - 1]
        why = f"{a} - {result} = {missing}, and {a} - {missing} = {result}."
    return _MathItem(
        topic="arithmetic.missing_number",
        prompt=f"What number goes in the box? {equation}",
        answer=_num(missing),
        explanation=why,
        mistakes=_number_choices(mistakes, ok),
        near=_near_number(missing, ok),
    )


# ---- fractions and percentages ---------------------------------------------------------------


def _proper_fraction(rng: random.Random, max_denominator: int) -> tuple[int, int]:
    d = rng.randint(2, max_denominator)
    n = rng.randint(1, d - 1)
    while math.gcd(n, d) != 1:
        n = rng.randint(1, d - 1)
    return n, d


def _frac_text(n: int, d: int) -> str:
    return f"{n}/{d}"


def _fraction_ok(grade: int) -> Callable[[Fraction], bool]:
    def check(value: Fraction) -> bool:
        if value < 0 and not _negatives_ok(grade):
            return False
        return value != 0 and abs(value) <= 100

    return check


def _gen_fraction_add_sub(rng: random.Random, grade: int, difficulty: str, op: str) -> _MathItem:
    ok = _fraction_ok(grade)
    like = grade <= 4
    if like:
        d = rng.randint(3, 8 if grade == 3 else 12)
        n1, n2 = rng.randint(1, d - 1), rng.randint(1, d - 1)
        if op == "-" and n1 <= n2:
            if n1 == n2:
                raise _Retry
            n1, n2 = n2, n1
        d1 = d2 = d
    else:
        max_den = 10 if grade <= 6 else 12
        n1, d1 = _proper_fraction(rng, max_den)
        n2, d2 = _proper_fraction(rng, max_den)
        if d1 == d2:
            raise _Retry
        if op == "-" and Fraction(n1, d1) < Fraction(n2, d2) and not _negatives_ok(grade):
            n1, d1, n2, d2 = n2, d2, n1, d1
    x, y = Fraction(n1, d1), Fraction(n2, d2)
    answer = x + y if op == "+" else x - y
    if answer == 0:
        raise _Retry
    sign = 1 if op == "+" else -1
    mistakes = [
        Fraction(n1 + sign * n2, d1 + d2) if n1 + sign * n2 else None,  # combined denominators
        x - y if op == "+" else x + y,  # wrong operation
        answer + Fraction(1, math.lcm(d1, d2)),
        answer - Fraction(1, math.lcm(d1, d2)),
        Fraction(n1 + sign * n2, d1 * d2) if n1 + sign * n2 else None,
        Fraction(n1 * n2, d1 * d2),
    ]
    common = math.lcm(d1, d2)
    a_scaled, b_scaled = n1 * (common // d1), n2 * (common // d2)
    raw_result = a_scaled + sign * b_scaled
    symbol = "+" if op == "+" else "-"
    if like:
        verb = "add" if op == "+" else "subtract"
        explanation = (
            f"The denominators are the same, so {verb} the "
            f"numerators and keep the denominator: {n1}/{d1} {symbol} {n2}/{d2} = "
            f"{raw_result}/{common}"
        )
    else:
        explanation = (
            f"Use the common denominator {common}: {n1}/{d1} = {a_scaled}/{common} and "
            f"{n2}/{d2} = {b_scaled}/{common}, so the result is {raw_result}/{common}"
        )
    if _fmt(answer) != f"{raw_result}/{common}":
        explanation += f", which simplifies to {_fmt(answer)}."
    else:
        explanation += "."
    return _MathItem(
        topic="fractions.add" if op == "+" else "fractions.subtract",
        prompt=f"What is {_frac_text(n1, d1)} {symbol} {_frac_text(n2, d2)}?"
        " Give your answer in lowest terms.",
        answer=_num(answer),
        explanation=explanation,
        mistakes=[_num(v) for v in mistakes if v is not None and ok(v)],
        near=_near_fraction(answer, ok),
    )


def _near_fraction(answer: Fraction, ok: Callable[[Fraction], bool]):
    def near(rng: random.Random) -> _Choice | None:
        denominator = answer.denominator * rng.choice([1, 1, 2, 3])
        candidate = answer + Fraction(rng.choice([-1, 1]) * rng.randint(1, 4), denominator)
        return _num(candidate) if ok(candidate) else None

    return near


def _gen_fraction_add(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    return _gen_fraction_add_sub(rng, grade, difficulty, "+")


def _gen_fraction_subtract(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    return _gen_fraction_add_sub(rng, grade, difficulty, "-")


def _gen_fraction_multiply(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    ok = _fraction_ok(grade)
    if grade == 4:
        whole = rng.randint(2, 9)
        n, d = _proper_fraction(rng, 10)
        answer = whole * Fraction(n, d)
        prompt = f"What is {whole} × {_frac_text(n, d)}? Give your answer in lowest terms."
        mistakes = [
            Fraction(n, whole * d),  # multiplied the denominator
            whole + Fraction(n, d),  # added instead
            Fraction(n, d),  # multiplied top and bottom
            answer + Fraction(1, d),
            answer - Fraction(1, d),
        ]
        explanation = (
            f"Multiply the whole number by the numerator: {whole} × {n}/{d} = {whole * n}/{d}"
        )
        explanation += f" = {_fmt(answer)}." if _fmt(answer) != f"{whole * n}/{d}" else "."
    else:
        n1, d1 = _proper_fraction(rng, 9 if grade <= 6 else 12)
        n2, d2 = _proper_fraction(rng, 9 if grade <= 6 else 12)
        if _negatives_ok(grade) and rng.random() < 0.3:
            n1 = -n1
        answer = Fraction(n1, d1) * Fraction(n2, d2)
        prompt = (
            f"What is {_operand(Fraction(n1, d1), True)} × {_frac_text(n2, d2)}?"
            " Give your answer in lowest terms."
        )
        mistakes = [
            Fraction(n1 * d2, d1 * n2),  # cross-multiplied (that is division)
            Fraction(n1, d1) + Fraction(n2, d2),  # added instead
            Fraction(n1 * n2, d1 + d2),  # added denominators
            -answer,
            answer + Fraction(1, d1 * d2),
        ]
        explanation = (
            f"Multiply numerators and denominators: ({n1} × {n2})/({d1} × {d2}) = "
            f"{n1 * n2}/{d1 * d2}"
        )
        explanation += f" = {_fmt(answer)}." if _fmt(answer) != f"{n1 * n2}/{d1 * d2}" else "."
    return _MathItem(
        topic="fractions.multiply",
        prompt=prompt,
        answer=_num(answer),
        explanation=explanation,
        mistakes=[_num(v) for v in mistakes if ok(v)],
        near=_near_fraction(answer, ok),
    )


_PERCENTS = (5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80)


def _gen_percentages(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    positive = _plausible_number(0)  # percentages of positive amounts stay positive
    forms = ["of", "what_percent"] + (["change"] if grade >= 7 else [])
    form = rng.choice(forms)
    percent = rng.choice(_PERCENTS)
    unit = 100 // math.gcd(percent, 100)
    base = unit * rng.randint(1, max(2, (400 if grade >= 9 else 200) // unit))
    part = percent * base // 100
    if form == "of":
        mistakes = [Fraction(percent * base, 10), base - part, part + unit, part - unit, percent]
        return _MathItem(
            topic="percentages",
            prompt=f"What is {percent}% of {base}?",
            answer=_num(part),
            explanation=f"{percent}% means {percent}/100, so {percent}/100 × {base} = {part}.",
            mistakes=_number_choices(mistakes, positive),
            near=_near_number(part, positive, spread=max(3, part // 5)),
        )
    if form == "what_percent":
        if part == base or part == 0:
            raise _Retry
        pct_ok = _plausible_number(grade, limit=1000)
        mistakes = [
            100 - percent,
            part,
            percent + 5,
            percent - 5,
            percent * 2,
            Fraction(base, part),
        ]
        return _MathItem(
            topic="percentages",
            prompt=f"What percent of {base} is {part}?",
            answer=_num(percent, "%"),
            explanation=f"{part} ÷ {base} = {_fmt(Fraction(part, base))} = {percent}/100, "
            f"so {part} is {percent}% of {base}.",
            mistakes=_number_choices(
                [m for m in mistakes if 0 < m < 100 and _is_int(Fraction(m))], pct_ok, "%"
            ),
            near=_near_number(percent, lambda v: 0 < v < 100 and _is_int(v), spread=10, suffix="%"),
        )
    increase = rng.random() < 0.5
    answer = base + part if increase else base - part
    if answer <= 0:
        raise _Retry
    other = base - part if increase else base + part
    word = "increased" if increase else "decreased"
    mistakes = [
        other,
        part,
        base + percent if increase else base - percent,
        answer + unit,
        answer - unit,
    ]
    return _MathItem(
        topic="percentages",
        prompt=f"What is {base} {word} by {percent}%?",
        answer=_num(answer),
        explanation=f"{percent}% of {base} is {part}; {base} {'+' if increase else '-'} {part} "
        f"= {answer}.",
        mistakes=_number_choices([m for m in mistakes if m > 0], positive),
        near=_near_number(answer, lambda v: positive(v) and v > 0, spread=max(3, answer // 10)),
    )


# ---- order of operations ---------------------------------------------------------------------

_TEMPLATES_BASIC = ("a + b × c", "a × b + c", "a × b - c", "a + b ÷ c", "a - b × c")
_TEMPLATES_PARENS = ("(a + b) × c", "a × (b + c)", "(a - b) × c", "(a + b) ÷ c", "a × (b - c)")
_TEMPLATES_ADVANCED = (
    "a + b × c - d",
    "(a + b) × (c - d)",
    "a × b - c × d",
    "a + b ^ 2",
    "(a + b) ^ 2 - c",
    "a - b ÷ c + d",
    "a × (b + c) - d",
)
_OPS = ("+", "-", "×", "÷", "^")


def _tokens(template: str, values: dict[str, int]) -> list[Any]:
    out: list[Any] = []
    for raw in template.replace("(", "( ").replace(")", " )").split():
        if raw in values:
            out.append(Fraction(values[raw]))
        elif raw.isdigit():
            out.append(Fraction(int(raw)))
        else:
            out.append(raw)
    return out


def _render(tokens: Sequence[Any]) -> str:
    parts: list[str] = []
    for index, token in enumerate(tokens):
        if isinstance(token, Fraction):
            parts.append(_operand(token, first=index == 0))
        else:
            parts.append(token)
    text = " ".join(parts)
    return text.replace("( ", "(").replace(" )", ")").replace(" ^ ", "^")


def _apply(a: Fraction, op: str, b: Fraction) -> Fraction:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "×":
        return a * b
    if op == "÷":
        if b == 0 or (a / b).denominator != 1:
            raise _Retry
        return a / b
    return a ** int(b)


def _reduce_flat(tokens: list[Any], groups: Sequence[Sequence[str]]) -> list[Any] | None:
    """Apply one operation of the first group present (leftmost), or None when done."""
    for group in groups:
        for index, token in enumerate(tokens):
            if isinstance(token, str) and token in group:
                value = _apply(tokens[index - 1], token, tokens[index + 1])
                return tokens[: index - 1] + [value] + tokens[index + 2 :]
    return None


_PRECEDENCE = (("^",), ("×", "÷"), ("+", "-"))


def _reduce_once(tokens: list[Any], groups=_PRECEDENCE) -> list[Any] | None:
    if "(" in tokens:
        close = tokens.index(")")
        open_ = max(i for i in range(close) if tokens[i] == "(")
        inner = tokens[open_ + 1 : close]
        if len(inner) == 1:
            return tokens[:open_] + inner + tokens[close + 1 :]
        reduced = _reduce_flat(inner, groups)
        assert reduced is not None
        return tokens[: open_ + 1] + reduced + tokens[close:]
    return _reduce_flat(tokens, groups)


def _strip_single_brackets(tokens: list[Any]) -> list[Any]:
    out = list(tokens)
    index = 0
    while index + 2 < len(out):
        if out[index] == "(" and isinstance(out[index + 1], Fraction) and out[index + 2] == ")":
            out[index : index + 3] = [out[index + 1]]
        else:
            index += 1
    return out


def _evaluate(tokens: list[Any], groups=_PRECEDENCE) -> tuple[Fraction, list[list[Any]]]:
    steps = [tokens]
    while (reduced := _reduce_once(steps[-1], groups)) is not None:
        steps.append(_strip_single_brackets(reduced))
    (value,) = steps[-1]
    return value, steps


def _safe_value(tokens: list[Any], groups) -> Fraction | None:
    try:
        return _evaluate(tokens, groups)[0]
    except _Retry:
        return None


def _gen_order_of_operations(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    templates = list(_TEMPLATES_BASIC)
    if grade >= 4:
        templates += _TEMPLATES_PARENS
    if grade >= 6:
        templates += _TEMPLATES_ADVANCED
    template = rng.choice(templates)
    top = 9 if grade <= 4 else 12
    values = {name: rng.randint(2, top) for name in "abcd"}
    if "^" in template:
        values["b"] = rng.randint(2, 6)
    tokens = _tokens(template, values)
    # make every division exact: the number just before ÷ becomes a multiple of the divisor
    for index, token in enumerate(tokens):
        if token == "÷" and isinstance(tokens[index - 1], Fraction):
            tokens[index - 1] = tokens[index + 1] * rng.randint(1, 9)
    answer, steps = _evaluate(tokens)  # may raise _Retry
    if not _negatives_ok(grade):
        for step in steps:
            if any(isinstance(t, Fraction) and t < 0 for t in step):
                raise _Retry
    ok = _plausible_number(grade)
    flat = [t for t in tokens if t not in ("(", ")")]
    mistakes = [
        _safe_value(flat, (_OPS,)),  # strictly left to right, ignoring brackets
        _safe_value(flat, _PRECEDENCE),  # ignoring the brackets only
        _safe_value(tokens, (("^",), ("+", "-"), ("×", "÷"))),  # adding before multiplying
        answer + 1,
        answer - 1,
        answer + 2,
    ]
    explanation = " = ".join(_render(step) for step in steps)
    rule = "Brackets first, then " if "(" in tokens else ""
    rule += "exponents, then " if "^" in tokens else ""
    rule += "multiplication and division, then addition and subtraction (left to right): "
    return _MathItem(
        topic="order_of_operations",
        prompt=f"What is {_render(tokens)}?",
        answer=_num(answer),
        explanation=rule[0].upper() + rule[1:] + explanation + ".",
        mistakes=_number_choices([m for m in mistakes if m is not None], ok),
        near=_near_number(answer, ok),
    )


# ---- equations -------------------------------------------------------------------------------


def _term(coefficient: int, variable: str, first: bool) -> str:
    """Format ``coefficient·variable`` as part of a sum (``3x``, ``- x``, ``+ 2y``)."""
    magnitude = abs(coefficient)
    body = f"{'' if magnitude == 1 else magnitude}{variable}"
    if first:
        return f"-{body}" if coefficient < 0 else body
    return f"- {body}" if coefficient < 0 else f"+ {body}"


def _constant(value: int, first: bool = False) -> str:
    if first:
        return str(value)
    return f"- {abs(value)}" if value < 0 else f"+ {value}"


def _linear_side(a: int, b: int) -> str:
    parts = []
    if a:
        parts.append(_term(a, "x", True))
    if b or not parts:
        parts.append(_constant(b, first=not parts))
    return " ".join(parts)


def _x_choice(value: Fraction | int) -> _Choice:
    return _Choice(key=("x", Fraction(value)), text=f"x = {_fmt(value)}")


def _x_choices(values: Sequence[Fraction | None], ok: Callable[[Fraction], bool]):
    return [_x_choice(v) for v in values if v is not None and ok(Fraction(v))]


def _near_x(answer: int, ok: Callable[[Fraction], bool]):
    def near(rng: random.Random) -> _Choice | None:
        candidate = Fraction(answer + rng.choice([-1, 1]) * rng.randint(1, 6))
        return _x_choice(candidate) if ok(candidate) else None

    return near


def _div_or_none(numerator: int, denominator: int) -> Fraction | None:
    if denominator == 0 or numerator % denominator:
        return None
    return Fraction(numerator // denominator)


def _gen_linear_equation(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    ok = _plausible_number(grade)
    negatives = _negatives_ok(grade)
    if grade <= 4:  # one-step equations
        form = rng.choice(["x+b", "x-b", "ax"])
        x = rng.randint(2, 20 if grade == 4 else 12)
        if form == "ax":
            a = rng.randint(2, 9)
            c = a * x
            equation = f"{a}x = {c}"
            mistakes = [c - a, c + a, x + 1, x - 1]
            explanation = f"Divide both sides by {a}: x = {c} ÷ {a} = {x}."
        else:
            b = rng.randint(2, 20)
            if form == "x+b":
                c = x + b
                equation = f"x + {b} = {c}"
                mistakes = [c + b, b, x + 1, x - 1]
                explanation = f"Subtract {b} from both sides: x = {c} - {b} = {x}."
            else:
                c = x - b
                if c <= 0:
                    raise _Retry
                equation = f"x - {b} = {c}"
                mistakes = [c - b, b, x + 1, x - 1]
                explanation = f"Add {b} to both sides: x = {c} + {b} = {x}."
        return _MathItem(
            topic="linear_equations",
            prompt=f"Solve for x: {equation}",
            answer=_x_choice(x),
            explanation=explanation,
            mistakes=_x_choices([Fraction(m) for m in mistakes], ok),
            near=_near_x(x, ok),
        )

    both_sides = grade >= 8 and rng.random() < 0.5
    if negatives:
        x = rng.randint(-12, 12)
        a = rng.choice([-1, 1]) * rng.randint(2, 12 if grade >= 9 else 9)
        b = rng.choice([-1, 1]) * rng.randint(1, 20)
    else:
        x = rng.randint(1, 12)
        a = rng.randint(2, 9)
        b = rng.randint(1, 20)
    if not both_sides:
        c = a * x + b
        action = f"Subtract {b} from" if b > 0 else f"Add {-b} to"
        explanation = (
            f"{action} both sides: {a}x = {c - b}. Divide both sides by {a}: x = {x}."
            if a != 1
            else f"{action} both sides: x = {x}."
        )
        mistakes = [
            _div_or_none(c + b, a),  # sign error when moving b
            Fraction(c - b),  # forgot to divide
            _div_or_none(c, a),
            Fraction(-x),
            Fraction(x + 1),
            Fraction(x - 1),
        ]
        return _MathItem(
            topic="linear_equations",
            prompt=f"Solve for x: {_linear_side(a, b)} = {c}",
            answer=_x_choice(x),
            explanation=explanation,
            mistakes=_x_choices(mistakes, ok),
            near=_near_x(x, ok),
        )
    a2 = rng.randint(1, 9) * (rng.choice([-1, 1]) if grade >= 9 else 1)
    if a2 == a:
        raise _Retry
    d = (a - a2) * x + b
    mistakes = [
        _div_or_none(d - b, a + a2),  # added the x-terms instead of subtracting
        _div_or_none(d + b, a - a2),  # sign error on the constant
        Fraction(-x),
        Fraction(x + 1),
        Fraction(x - 1),
    ]
    return _MathItem(
        topic="linear_equations",
        prompt=f"Solve for x: {_linear_side(a, b)} = {_linear_side(a2, d)}",
        answer=_x_choice(x),
        explanation=(
            f"Collect the x-terms on one side and the numbers on the other: "
            f"{a - a2}x = {d - b}, so x = {d - b} ÷ {a - a2} = {x}."
        ),
        mistakes=_x_choices(mistakes, ok),
        near=_near_x(x, ok),
    )


def _pair_choice(x: int, y: int) -> _Choice:
    return _Choice(key=("xy", x, y), text=f"x = {x}, y = {y}")


def _substituted(a: int, b: int, x: int, y: int) -> str:
    return f"{a}({x}) {'+' if b > 0 else '-'} {abs(b)}({y})"


def _gen_system(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    span = 9 if grade >= 9 else 6
    x, y = rng.randint(-span, span), rng.randint(-span, span)
    if grade == 8:
        x, y = abs(x), abs(y)
    coefficients = [c for c in range(-5, 6) if c != 0]
    a1, b1, a2, b2 = (rng.choice(coefficients) for _ in range(4))
    if grade == 8:
        a2, b2 = 1, rng.choice([-1, 1])  # keep one equation simple for substitution
    if a1 * b2 - a2 * b1 == 0:
        raise _Retry
    c1, c2 = a1 * x + b1 * y, a2 * x + b2 * y
    equation1 = f"{_term(a1, 'x', True)} {_term(b1, 'y', False)} = {c1}"
    equation2 = f"{_term(a2, 'x', True)} {_term(b2, 'y', False)} = {c2}"
    mistakes = [(y, x), (x, -y), (-x, y), (-x, -y), (x + 1, y), (x, y - 1)]

    def near(r: random.Random) -> _Choice:
        return _pair_choice(x + r.randint(-3, 3), y + r.randint(-3, 3))

    return _MathItem(
        topic="systems_of_equations",
        prompt=f"Solve the system of equations: {equation1}; {equation2}",
        answer=_pair_choice(x, y),
        explanation=(
            f"Eliminate one variable (or substitute) to get x = {x} and y = {y}. "
            f"Check: {_substituted(a1, b1, x, y)} = {c1} and {_substituted(a2, b2, x, y)} = {c2}."
        ),
        mistakes=[_pair_choice(px, py) for px, py in mistakes],
        near=near,
    )


def _roots_choice(r1: int, r2: int) -> _Choice | None:
    if r1 == r2:
        return None
    low, high = sorted((r1, r2))
    return _Choice(key=("roots", frozenset((low, high))), text=f"x = {low} or x = {high}")


def _gen_quadratic(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
    if r1 == r2:
        raise _Retry
    leading = rng.choice([1, 1, 2, 3]) if grade >= 11 else 1
    b, c = -leading * (r1 + r2), leading * r1 * r2
    terms = [f"{'' if leading == 1 else leading}x^2"]
    if b:
        terms.append(_term(b, "x", False))
    if c:
        terms.append(_constant(c))
    low, high = sorted((r1, r2))

    def factor(root: int) -> str:
        return "x" if root == 0 else f"(x {'-' if root > 0 else '+'} {abs(root)})"

    factored = f"{'' if leading == 1 else leading}{factor(low)}{factor(high)}"
    mistakes = [(-r1, -r2), (r1, -r2), (-r1, r2), (r1 + 1, r2 + 1), (r1 - 1, r2 - 1)]

    def near(r: random.Random) -> _Choice | None:
        return _roots_choice(r1 + r.randint(-4, 4), r2 + r.randint(-4, 4))

    return _MathItem(
        topic="quadratic_equations",
        prompt=f"Solve for x: {' '.join(terms)} = 0",
        answer=_roots_choice(r1, r2),  # type: ignore[arg-type]
        explanation=(
            f"Factor: {factored} = 0. A product is zero when a factor is zero, "
            f"so x = {low} or x = {high}."
        ),
        mistakes=[c for c in (_roots_choice(p, q) for p, q in mistakes) if c is not None],
        near=near,
    )


def _gen_exponents(rng: random.Random, grade: int, difficulty: str) -> _MathItem:
    ok = _plausible_number(grade, integer=False)
    forms = ["power"]
    if grade >= 6:
        forms.append("product")
    if grade >= 7:
        forms.append("negative_base")
    if grade >= 8:
        forms.append("quotient")
    if grade >= 9:
        forms += ["zero", "negative_exponent", "power_of_power"]
    form = rng.choice(forms)
    if form == "power":
        if grade == 5:
            base, exponent = rng.choice(
                [(10, rng.randint(2, 6)), (rng.randint(2, 12), 2), (rng.randint(2, 5), 3)]
            )
        else:
            base, exponent = rng.randint(2, 9), rng.randint(2, 4)
        answer = Fraction(base) ** exponent
        prompt = f"What is {base}^{exponent}?"
        mistakes = [base * exponent, Fraction(exponent) ** base, Fraction(base) ** (exponent + 1)]
        mistakes += [Fraction(base) ** (exponent - 1), base + exponent]
        explanation = f"{base}^{exponent} means {' × '.join([str(base)] * exponent)} = {answer}."
    elif form in ("product", "quotient"):
        base = rng.randint(2, 5)
        m, n = rng.randint(2, 5), rng.randint(1, 4)
        if base ** (m + n) > 5000:
            raise _Retry
        if form == "product":
            answer = Fraction(base) ** (m + n)
            prompt = f"What is {base}^{m} × {base}^{n}?"
            mistakes = [Fraction(base) ** (m * n), Fraction(base * base) ** (m + n)]
            mistakes += [Fraction(base) ** (m + n - 1), Fraction(base) ** (m + n + 1)]
            explanation = (
                f"When multiplying powers of the same base, add the exponents: "
                f"{base}^{m} × {base}^{n} = {base}^{m + n} = {answer}."
            )
        else:
            m += n
            answer = Fraction(base) ** (m - n)
            prompt = f"What is {base}^{m} ÷ {base}^{n}?"
            mistakes = [Fraction(base) ** (m + n), Fraction(1), Fraction(base) ** (m - n + 1)]
            mistakes += [Fraction(base) ** max(0, m - n - 1), Fraction(base) * (m - n)]
            explanation = (
                f"When dividing powers of the same base, subtract the exponents: "
                f"{base}^{m} ÷ {base}^{n} = {base}^{m - n} = {answer}."
            )
    elif form == "negative_base":
        base, exponent = -rng.randint(2, 6), rng.randint(2, 4)
        answer = Fraction(base) ** exponent
        prompt = f"What is ({base})^{exponent}?"
        mistakes = [-answer, base * exponent, -base * exponent, Fraction(base) ** (exponent + 1)]
        parity = "even" if exponent % 2 == 0 else "odd"
        explanation = (
            f"({base})^{exponent} = {' × '.join([f'({base})'] * exponent)} = {answer}; "
            f"an {parity} number of negative factors gives a "
            f"{'positive' if parity == 'even' else 'negative'} result."
        )
    elif form == "zero":
        base = rng.randint(2, 99)
        answer = Fraction(1)
        prompt = f"What is {base}^0?"
        mistakes = [0, base, -1, Fraction(1, base)]
        explanation = f"Any non-zero number raised to the power 0 equals 1, so {base}^0 = 1."
    elif form == "negative_exponent":
        base, exponent = rng.randint(2, 5), rng.randint(1, 3)
        answer = Fraction(1, base**exponent)
        prompt = f"What is {base}^(-{exponent})?"
        mistakes = [-(base**exponent), -answer, Fraction(1, base * exponent), -base * exponent]
        explanation = (
            f"A negative exponent means the reciprocal: {base}^(-{exponent}) = "
            f"1/{base}^{exponent} = {_fmt(answer)}."
        )
    else:  # power_of_power
        base, m, n = rng.randint(2, 3), rng.randint(2, 3), rng.randint(2, 3)
        answer = Fraction(base) ** (m * n)
        prompt = f"What is ({base}^{m})^{n}?"
        mistakes = [Fraction(base) ** (m + n), Fraction(base) ** (m * n - 1), base * m * n]
        mistakes += [Fraction(base) ** (m * n + 1)]
        explanation = (
            f"A power of a power multiplies the exponents: ({base}^{m})^{n} = "
            f"{base}^{m * n} = {answer}."
        )
    choices = [_num(v) for v in mistakes if ok(Fraction(v))]
    if answer.denominator == 1:
        near = _near_number(answer, ok, spread=max(3, int(abs(answer)) // 10))
    else:
        near = _near_fraction(answer, ok)
    return _MathItem(
        topic="exponents",
        prompt=prompt,
        answer=_num(answer),
        explanation=explanation,
        mistakes=choices,
        near=near,
    )


def _build_math_question(rng: random.Random, item: _MathItem, position: int) -> Question:
    distractors = _pick_distractors(rng, item)
    options, correct_index = _place(rng, item.answer.text, distractors, position)
    return Question(
        prompt=item.prompt,
        options=options,
        correct_index=correct_index,
        explanation=item.explanation,
        topic=item.topic,
    )


def generate_math_question(
    *, topic: str, grade_level: int, seed: int, difficulty: str = "medium"
) -> Question:
    """One procedural mathematics question on a given topic (see ``MATH_TOPICS``).

    Used e.g. for worked examples in lessons. Deterministic for the same arguments; any topic
    can be requested for any grade (number sizes still follow the grade).
    """
    if topic not in _MATH_GENERATORS:
        raise ValueError(f"unknown mathematics topic {topic!r}; expected one of: {MATH_TOPICS}")
    grade = _check_grade(grade_level)
    level = _check_difficulty(difficulty)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rng = random.Random(_derive_seed("single", topic, grade, level, seed))
    for _attempt in range(200):
        try:
            item = _MATH_GENERATORS[topic](rng, grade, level)
        except _Retry:
            continue
        return _build_math_question(rng, item, rng.randrange(OPTIONS_PER_QUESTION))
    raise RuntimeError(f"could not generate a {topic} question")  # pragma: no cover


_MATH_GENERATORS: dict[str, Callable[[random.Random, int, str], _MathItem]] = {
    "arithmetic.addition": _gen_addition,
    "arithmetic.subtraction": _gen_subtraction,
    "arithmetic.multiplication": _gen_multiplication,
    "arithmetic.division": _gen_division,
    "arithmetic.three_addends": _gen_three_addends,
    "arithmetic.two_step": _gen_two_step,
    "arithmetic.missing_number": _gen_missing_number,
    "fractions.add": _gen_fraction_add,
    "fractions.subtract": _gen_fraction_subtract,
    "fractions.multiply": _gen_fraction_multiply,
    "percentages": _gen_percentages,
    "order_of_operations": _gen_order_of_operations,
    "linear_equations": _gen_linear_equation,
    "systems_of_equations": _gen_system,
    "quadratic_equations": _gen_quadratic,
    "exponents": _gen_exponents,
}
#: Every procedural mathematics topic (usable with ``generate_math_question``).
MATH_TOPICS: tuple[str, ...] = tuple(_MATH_GENERATORS)
