"""The curated glossary (``curriculum/data/glossary.json``) and choosing a lesson's vocabulary:
terms whose name or keywords match the objectives first, then terms of the learner's band."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from curriculum.lessons.objectives import Objective
from curriculum.lessons.words import stems_overlap, text_stems

GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "data" / "glossary.json"


@dataclass(frozen=True)
class Term:
    term: str
    level: int
    definition: str
    name_stems: frozenset[str]
    keyword_stems: frozenset[str]
    definition_stems: frozenset[str]


@lru_cache(maxsize=2)
def glossary_terms(path: str) -> dict[str, tuple[Term, ...]]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    glossary = {}
    for subject, rows in raw["subjects"].items():
        glossary[subject] = tuple(
            Term(
                term=row["term"],
                level=int(row["level"]),
                definition=row["definition"],
                name_stems=frozenset(text_stems(row["term"])),
                keyword_stems=frozenset(text_stems(" ".join(row.get("keywords", [])))),
                definition_stems=frozenset(text_stems(row["definition"])),
            )
            for row in rows
        )
    return glossary


def load_glossary(path: Path | str = GLOSSARY_PATH) -> dict[str, list[dict[str, Any]]]:
    """The curated glossary as ``{subject: [{term, level, definition}, ...]}``."""
    return {
        subject: [{"term": t.term, "level": t.level, "definition": t.definition} for t in terms]
        for subject, terms in glossary_terms(str(path)).items()
    }


MATCH_THRESHOLD = 1.5


def _full_name_match(term: Term, stems: set[str] | frozenset[str]) -> bool:
    return bool(term.name_stems) and stems_overlap(set(term.name_stems), set(stems)) == len(
        term.name_stems
    )


def term_score(term: Term, stems: set[str] | frozenset[str]) -> float:
    """How strongly a glossary term relates to a set of objective word stems."""
    if not stems or not term.name_stems:
        return 0.0
    stems = set(stems)
    named = stems_overlap(set(term.name_stems), stems)
    return (
        (6.0 if named == len(term.name_stems) else 2.0 * named / len(term.name_stems))
        + 1.0 * stems_overlap(set(term.keyword_stems - term.name_stems), stems)
        + 0.25 * stems_overlap(set(term.definition_stems), stems)
    )


def vocabulary_select(
    rng: random.Random,
    terms: tuple[Term, ...],
    objectives: list[Objective],
    band: int,
    count: int,
    complexity: str,
) -> list[Term]:
    all_stems = set().union(*(o.stems for o in objectives))
    stretch = 1 if complexity == "advanced" else 0
    ranked = []
    for term in terms:
        score = term_score(term, all_stems)
        in_level = term.level <= band + stretch
        matched = score >= MATCH_THRESHOLD and (in_level or _full_name_match(term, all_stems))
        if not matched and not in_level:
            continue
        fit = abs(term.level - band) + (0.5 if term.level > band else 0)
        ranked.append((0 if matched else 1, -score if matched else 0, fit, rng.random(), term))
    ranked.sort(key=lambda row: row[:4])
    return [row[-1] for row in ranked[:count]]
