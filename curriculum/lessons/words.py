"""Reading teachers' words: stems, overlaps and the small text helpers of the lesson wording.

The word lists (stopwords, verbs, objective prefixes) are data:
``curriculum/data/lesson_words.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_DATA = json.loads(
    (Path(__file__).resolve().parent.parent / "data" / "lesson_words.json").read_text("utf-8")
)
STOPWORDS: frozenset[str] = frozenset(_DATA["stopwords"])
#: An objective starting with one of these is an action ("add fractions").
VERBS: frozenset[str] = frozenset(_DATA["verbs"])
#: Verbs whose object is the thing to learn ("describe the water cycle" -> "the water cycle"),
#: as opposed to procedures ("add fractions" -> "how to add fractions").
TOPIC_VERBS: frozenset[str] = frozenset(_DATA["topic_verbs"])
#: Stripped from the start of an objective ("students will be able to ...").
OBJECTIVE_PREFIXES: tuple[str, ...] = tuple(_DATA["objective_prefixes"])


def word_stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "zes")):
                continue
            return word[: -len(suffix)]
    return word


def text_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def text_stems(text: str) -> set[str]:
    return {word_stem(w) for w in text_words(text) if w not in STOPWORDS and len(w) > 2}


def stems_match(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter)


def stems_overlap(needles: set[str], haystack: set[str]) -> int:
    return sum(1 for n in needles if any(stems_match(n, h) for h in haystack))


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def join_list(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def shorten(text: str, limit: int = 70) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
