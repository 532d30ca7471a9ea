"""Questions from the curated bank ``curriculum/data/question_bank.json`` (every subject but
mathematics).

Questions are picked by fit (grade band first, then difficulty) with fallback to neighbouring
bands and difficulties. No question repeats within a quiz until every question of the subject has
been used once; only when ``question_count`` exceeds the size of the subject's bank does the
selection start a new (reshuffled) pass, so repeats then become possible.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from curriculum.quizzes.common import place
from curriculum.shapes import OPTIONS_PER_QUESTION, QuizQuestion, option_normalize
from curriculum.vocabulary import (
    DIFFICULTIES,
    GRADE_BAND_NAMES,
    grade_band_index,
)

#: The curated questions of every subject but mathematics.
BANK_PATH = Path(__file__).resolve().parent.parent / "data" / "question_bank.json"


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
    if entry.band not in GRADE_BAND_NAMES:
        raise ValueError(f"{where}: unknown band {entry.band!r}")
    if entry.difficulty not in DIFFICULTIES:
        raise ValueError(f"{where}: unknown difficulty {entry.difficulty!r}")
    if len(entry.options) != OPTIONS_PER_QUESTION:
        raise ValueError(f"{where}: needs exactly {OPTIONS_PER_QUESTION} options")
    if len({option_normalize(option) for option in entry.options}) != len(entry.options):
        raise ValueError(f"{where}: duplicate options")
    if entry.options.count(entry.answer) != 1:
        raise ValueError(f"{where}: answer must appear exactly once among the options")
    if not entry.prompt.strip() or not entry.explanation.strip():
        raise ValueError(f"{where}: prompt and explanation must be non-empty")


def _bank_cost(entry: _BankEntry, band: int, difficulty: str) -> float:
    """Lower is a better fit. Grade band matters more than difficulty; easier bands win ties."""
    band_offset = GRADE_BAND_NAMES.index(entry.band) - band
    difficulty_offset = abs(DIFFICULTIES.index(entry.difficulty) - DIFFICULTIES.index(difficulty))
    return 3 * abs(band_offset) + (0.5 if band_offset > 0 else 0) + difficulty_offset


@lru_cache(maxsize=256)
def _bank_tiers(
    path: str, subject: str, band: int, difficulty: str
) -> tuple[tuple[_BankEntry, ...], ...]:
    """A subject's entries grouped by fit, best first (bank order within a group). The same for
    every quiz of a band and difficulty, so computed once rather than per question pass."""
    tiers: dict[float, list[_BankEntry]] = {}
    for entry in _load_bank(path).get(subject, ()):
        tiers.setdefault(_bank_cost(entry, band, difficulty), []).append(entry)
    return tuple(tuple(tiers[cost]) for cost in sorted(tiers))


def _bank_pass(rng: random.Random, tiers: Sequence[Sequence[_BankEntry]]) -> list[_BankEntry]:
    """One pass over the whole bank: best-fitting tiers first, shuffled within a tier."""
    ordered: list[_BankEntry] = []
    for entries in tiers:
        tier = list(entries)
        rng.shuffle(tier)
        ordered.extend(tier)
    return ordered


def generate_from_bank(
    rng: random.Random, subject: str, grade: int, difficulty: str, positions: list[int]
) -> list[QuizQuestion]:
    entries = _load_bank(str(BANK_PATH)).get(subject, ())
    if not entries:
        raise ValueError(f"the question bank has no questions for subject {subject!r}")
    tiers = _bank_tiers(str(BANK_PATH), subject, grade_band_index(grade), difficulty)
    count = len(positions)
    chosen: list[_BankEntry] = []
    while len(chosen) < count:
        # Each pass uses every entry once; a second pass only starts when the bank is exhausted.
        selection = _bank_pass(rng, tiers)[: count - len(chosen)]
        rng.shuffle(selection)
        if chosen and len(selection) > 1 and selection[0] is chosen[-1]:
            selection.append(selection.pop(0))
        chosen.extend(selection)

    questions = []
    for entry, position in zip(chosen, positions, strict=True):
        distractors = [option for option in entry.options if option != entry.answer]
        options, correct_index = place(rng, entry.answer, distractors, position)
        questions.append(
            QuizQuestion(
                prompt=entry.prompt,
                options=options,
                correct_index=correct_index,
                explanation=entry.explanation,
                topic=f"{subject}.{entry.topic}",
            )
        )
    return questions
