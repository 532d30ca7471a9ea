"""Learning objectives as teachers type them, read into the forms the wording needs."""

from __future__ import annotations

from dataclasses import dataclass

from curriculum.lessons.words import (
    OBJECTIVE_PREFIXES,
    TOPIC_VERBS,
    VERBS,
    capitalise,
    shorten,
    text_stems,
    word_stem,
)


@dataclass(frozen=True)
class Objective:
    original: str
    text: str  # cleaned, first word lower-cased when safe ("describe the water cycle")
    is_action: bool  # starts with a verb
    stems: frozenset[str]

    @property
    def heading(self) -> str:
        return shorten(capitalise(self.text), 80)

    @property
    def verb(self) -> str:
        return self.text.split(" ", 1)[0] if self.is_action else ""

    @property
    def is_topic_verb(self) -> bool:
        return self.verb in TOPIC_VERBS and " " in self.text

    @property
    def focus(self) -> str:
        """Noun-phrase form: "how to add fractions" / "the water cycle" (from "describe the
        water cycle" or just "the water cycle")."""
        if self.is_topic_verb:
            return self.text.split(" ", 1)[1]
        return f"how to {self.text}" if self.is_action else self.text

    @property
    def goal(self) -> str:
        """Infinitive form: "describe the water cycle" / "understand the water cycle"."""
        return self.text if self.is_action else f"understand {self.text}"


def objective_clean(raw: str, glossary_stems: set[str]) -> Objective:
    text = " ".join(raw.split()).strip().rstrip(".;:!")
    lowered = text.lower()
    for prefix in OBJECTIVE_PREFIXES:
        if lowered.startswith(prefix + " ") and len(text) > len(prefix) + 1:
            text = text[len(prefix) + 1 :].lstrip(" :,-")
            lowered = text.lower()
    text = text or raw.strip()
    first = text.split(" ", 1)[0]
    first_lower = first.lower()
    is_action = first_lower in VERBS
    if (
        is_action
        or first_lower in {"the", "a", "an", "how", "why", "what", "basic", "simple"}
        or (first[1:] == first[1:].lower() and word_stem(first_lower) in glossary_stems)
    ):
        text = first_lower + text[len(first) :]
    return Objective(
        original=raw,
        text=text,
        is_action=is_action,
        stems=frozenset(text_stems(text)),
    )
