"""Offline, deterministic lesson generation.

Pure Python (no Django, no network). ``generate_lesson`` turns a subject, a grade and a list of
learning objectives into a structured, JSON-serialisable lesson plan:

* ``sections``: an introduction, one section per learning objective and a wrap-up. Headings and
  wording depend on the content type; sentence length and vocabulary follow the grade band
  (K-2, 3-5, 6-8, 9-12); the depth of each section follows the complexity.
* ``vocabulary``: terms from the curated per-subject glossary in ``lessons/data/glossary.json``
  (one for every subject of the shared vocabulary, ``curriculum``), preferring terms whose name
  or keywords match words in the objectives, then terms introduced at the learner's grade band.
* ``activities``: chosen from a library of classroom routines (subject-specific ones first for
  lessons and activity plans) and tied to the objectives.
* ``assessment``: check-for-understanding items quoting each objective, vocabulary checks with
  the glossary definition as the answer, and, for mathematics, practice problems whose answers
  are computed by :func:`quizzes.generation.generate_math_question`.

Content types:

``lesson``       a full teaching sequence (introduce, teach each objective, practise, check);
``study_guide``  a self-study summary: key ideas, more vocabulary, self-check activities;
``activity``     an activity-centred plan: brief framing and more hands-on activities;
``review``       a recap of material already taught with more check-for-understanding items.

Determinism: the only randomness is a :class:`random.Random` seeded with a SHA-256 digest of
all the arguments, so the same inputs always produce the same lesson.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from curriculum import (
    GRADE_BANDS,
    LESSON,
    grade_band_index,
    grade_label,
    grade_normalize,
    subject_ids,
    subject_label,
    subject_normalize,
)
from quizzes.generation import generate_math_question

__all__ = [
    "COMPLEXITIES",
    "CONTENT_TYPES",
    "GLOSSARY_PATH",
    "MAX_OBJECTIVE_LENGTH",
    "MAX_OBJECTIVES",
    "SUBJECTS",
    "generate_lesson",
    "load_glossary",
]

CONTENT_TYPES: tuple[str, ...] = ("lesson", "study_guide", "activity", "review")
COMPLEXITIES: tuple[str, ...] = ("basic", "intermediate", "advanced")
#: Subjects lessons are generated in (``curriculum``): each has a curated glossary. A subject
#: without one is refused rather than written with the generic academic glossary alone.
SUBJECTS: tuple[str, ...] = subject_ids(LESSON)
MAX_OBJECTIVES = 10
MAX_OBJECTIVE_LENGTH = 300
GLOSSARY_PATH = Path(__file__).resolve().parent / "data" / "glossary.json"

_SEED_NAMESPACE = "toolboxai.lessons.v1"
_CONTENT_LABELS = {
    "lesson": "Lesson",
    "study_guide": "Study Guide",
    "activity": "Activity Plan",
    "review": "Review",
}
_BAND_NAMES = tuple(name for name, _ in GRADE_BANDS)

# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """a an the and or but of to in on at by for with from into onto about as is are was were be
    been being it its this that these those their there they them we our you your i my me he she
    his her how what when where which who why will would can could should may might must do does
    did not no yes so than then also all any each both some such use using used able student
    students learner learners learn understand know one two three own new way ways""".split()
)

_VERBS = frozenset(
    """add analyse analyze annotate apply appreciate argue assess blend build calculate categorize
    cite classify code compare compose compute connect construct contrast convert count create
    critique debate debug decode define demonstrate derive describe design determine develop
    differentiate discuss distinguish divide draw edit estimate evaluate examine explain explore
    express factor find graph identify illustrate infer interpret investigate justify label list
    locate map match measure model multiply name observe order organise organize outline perform
    plan plot practice practise predict present program prove read recall recite recognise
    recognize relate represent research retell revise simplify solve sort spell state subtract
    summarise summarize test trace translate use write learn understand know""".split()
)
# Verbs whose object is the thing to learn ("describe the water cycle" -> "the water cycle"),
# as opposed to procedures ("add fractions" -> "how to add fractions").
_TOPIC_VERBS = frozenset(
    """analyse analyze appreciate classify compare contrast define describe discuss distinguish
    evaluate examine explain explore identify illustrate interpret investigate know learn list name
    outline recall recognise recognize relate research retell state summarise summarize
    understand""".split()
)
_OBJECTIVE_PREFIXES = (
    "students will be able to",
    "the student will be able to",
    "learners will be able to",
    "students will",
    "the student will",
    "learners will",
    "swbat",
    "i can",
    "be able to",
    "to",
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "zes")):
                continue
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _words(text) if w not in _STOPWORDS and len(w) > 2}


def _stem_match(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 5 and longer.startswith(shorter)


def _overlap(needles: set[str], haystack: set[str]) -> int:
    return sum(1 for n in needles if any(_stem_match(n, h) for h in haystack))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _join_list(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _shorten(text: str, limit: int = 70) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


# --------------------------------------------------------------------------------------------
# Objectives
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Objective:
    original: str
    text: str  # cleaned, first word lower-cased when safe ("describe the water cycle")
    is_action: bool  # starts with a verb
    stems: frozenset[str]

    @property
    def heading(self) -> str:
        return _shorten(_capitalise(self.text), 80)

    @property
    def verb(self) -> str:
        return self.text.split(" ", 1)[0] if self.is_action else ""

    @property
    def is_topic_verb(self) -> bool:
        return self.verb in _TOPIC_VERBS and " " in self.text

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


def _clean_objective(raw: str, glossary_stems: set[str]) -> _Objective:
    text = " ".join(raw.split()).strip().rstrip(".;:!")
    lowered = text.lower()
    for prefix in _OBJECTIVE_PREFIXES:
        if lowered.startswith(prefix + " ") and len(text) > len(prefix) + 1:
            text = text[len(prefix) + 1 :].lstrip(" :,-")
            lowered = text.lower()
    text = text or raw.strip()
    first = text.split(" ", 1)[0]
    first_lower = first.lower()
    is_action = first_lower in _VERBS
    if (
        is_action
        or first_lower in {"the", "a", "an", "how", "why", "what", "basic", "simple"}
        or (first[1:] == first[1:].lower() and _stem(first_lower) in glossary_stems)
    ):
        text = first_lower + text[len(first) :]
    return _Objective(
        original=raw,
        text=text,
        is_action=is_action,
        stems=frozenset(_stems(text)),
    )


# --------------------------------------------------------------------------------------------
# Glossary and vocabulary selection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    term: str
    level: int
    definition: str
    name_stems: frozenset[str]
    keyword_stems: frozenset[str]
    definition_stems: frozenset[str]


@lru_cache(maxsize=2)
def _load_glossary(path: str) -> dict[str, tuple[_Term, ...]]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    glossary = {}
    for subject, rows in raw["subjects"].items():
        glossary[subject] = tuple(
            _Term(
                term=row["term"],
                level=int(row["level"]),
                definition=row["definition"],
                name_stems=frozenset(_stems(row["term"])),
                keyword_stems=frozenset(_stems(" ".join(row.get("keywords", [])))),
                definition_stems=frozenset(_stems(row["definition"])),
            )
            for row in rows
        )
    return glossary


def load_glossary(path: Path | str = GLOSSARY_PATH) -> dict[str, list[dict[str, Any]]]:
    """The curated glossary as ``{subject: [{term, level, definition}, ...]}``."""
    return {
        subject: [{"term": t.term, "level": t.level, "definition": t.definition} for t in terms]
        for subject, terms in _load_glossary(str(path)).items()
    }


_MATCH_THRESHOLD = 1.5


def _full_name_match(term: _Term, stems: set[str] | frozenset[str]) -> bool:
    return bool(term.name_stems) and _overlap(set(term.name_stems), set(stems)) == len(
        term.name_stems
    )


def _term_score(term: _Term, stems: set[str] | frozenset[str]) -> float:
    """How strongly a glossary term relates to a set of objective word stems."""
    if not stems or not term.name_stems:
        return 0.0
    stems = set(stems)
    named = _overlap(set(term.name_stems), stems)
    return (
        (6.0 if named == len(term.name_stems) else 2.0 * named / len(term.name_stems))
        + 1.0 * _overlap(set(term.keyword_stems - term.name_stems), stems)
        + 0.25 * _overlap(set(term.definition_stems), stems)
    )


def _select_vocabulary(
    rng: random.Random,
    terms: tuple[_Term, ...],
    objectives: list[_Objective],
    band: int,
    count: int,
    complexity: str,
) -> list[_Term]:
    all_stems = set().union(*(o.stems for o in objectives))
    stretch = 1 if complexity == "advanced" else 0
    ranked = []
    for term in terms:
        score = _term_score(term, all_stems)
        in_level = term.level <= band + stretch
        matched = score >= _MATCH_THRESHOLD and (in_level or _full_name_match(term, all_stems))
        if not matched and not in_level:
            continue
        fit = abs(term.level - band) + (0.5 if term.level > band else 0)
        ranked.append((0 if matched else 1, -score if matched else 0, fit, rng.random(), term))
    ranked.sort(key=lambda row: row[:4])
    return [row[-1] for row in ranked[:count]]


# --------------------------------------------------------------------------------------------
# Grade-band wording
# --------------------------------------------------------------------------------------------

_YOU = ("we", "you", "you", "you")

_APPROACH = {
    "mathematics": (
        "We will use objects, drawings and counting to show our thinking.",
        "Use models, drawings and number sentences to show each step.",
        "Work through examples step by step, then explain why each step is valid.",
        "Reason from definitions and properties, justify each step and check results.",
    ),
    "science": (
        "We will look closely, ask questions and talk about what we notice.",
        "Make observations, ask questions and record what you find.",
        "Connect observations and data to a scientific explanation.",
        "Evaluate evidence and models, and explain the underlying scientific principles.",
    ),
    "history": (
        "We will look at pictures and stories from long ago and talk about how life changed.",
        "Use sources and a timeline to find out what happened, when and why.",
        "Use primary and secondary sources to explain causes, effects and viewpoints.",
        "Analyse sources for perspective and reliability, and build an evidence-based argument.",
    ),
    "geography": (
        "We will use maps, globes and pictures to talk about places.",
        "Use maps, atlases and data to describe places and how people use them.",
        "Use maps and data to explain patterns and the links between people and places.",
        "Analyse spatial data and explain the interactions between human and physical systems.",
    ),
    "english": (
        "We will read, listen, talk and draw to show what we understand.",
        "Read closely, talk about the text and write to show your thinking.",
        "Support your ideas with evidence from the text and explain your reasoning.",
        "Analyse how language and structure create meaning, citing precise textual evidence.",
    ),
    "computer_science": (
        "We will follow and give step-by-step instructions, like a robot would.",
        "Plan steps carefully, test your ideas and fix mistakes you find.",
        "Break the problem into parts, design an algorithm and test it with examples.",
        "Design, implement and test a solution, and evaluate its correctness and efficiency.",
    ),
    None: (
        "We will look, listen, talk and try things out together.",
        "Use examples and discussion to build your understanding step by step.",
        "Connect new ideas to what you already know and explain your reasoning.",
        "Analyse the ideas critically, connect them to other contexts and justify conclusions.",
    ),
}

_COMPLEXITY_NOTES = {
    "basic": (
        "Your teacher will show you first, and then we will try it together.",
        "Start with a clear, worked example, then try a similar one with support.",
        "Begin with a worked example, then practise with guidance before working on your own.",
        "Review a worked example, then apply the core method with guided practice.",
    ),
    "intermediate": (
        "Then try it by yourself and tell a partner how you did it.",
        "Then practise on your own and explain each step in your own words.",
        "Practise independently and explain your reasoning using the key terms.",
        "Work independently, explain your reasoning precisely and compare different methods.",
    ),
    "advanced": (
        "Can you find a new example of your own and show it to the class?",
        "Challenge: solve a trickier problem and explain how you know you are right.",
        "Extend the idea to a new situation and justify your conclusions with evidence.",
        "Extend the idea to unfamiliar contexts, evaluate alternative approaches and justify "
        "your conclusions with evidence.",
    ),
}

_SECTION_HEADINGS = {
    "lesson": ("Introduction", "Part {n}: {heading}", "Wrap-Up"),
    "study_guide": ("Overview", "Key Idea {n}: {heading}", "Summary and Study Tips"),
    "activity": ("Getting Started", "Challenge {n}: {heading}", "Reflection"),
    "review": ("What We Are Reviewing", "Review {n}: {heading}", "Self-Check and Next Steps"),
}

_PLAN = {
    "lesson": (
        "First we will learn some new words, then we will practise together and share what we "
        "learned.",
        "You will learn the key words, work through each part step by step, practise, and "
        "then check your understanding.",
        "You will be introduced to the key vocabulary, work through each objective with "
        "examples and practice, and finish with a check for understanding.",
        "The lesson introduces the key terminology, develops each objective through modelled "
        "examples and practice, and closes with a check for understanding.",
    ),
    "study_guide": (
        "Read each part with a grown-up, say the new words and try the questions at the end.",
        "Read each key idea, learn the vocabulary, then test yourself with the questions at "
        "the end.",
        "Use this guide to review each key idea and its vocabulary, then test yourself with "
        "the self-check questions.",
        "Use this guide to consolidate each objective, master the terminology and test your "
        "understanding with the self-check questions.",
    ),
    "activity": (
        "We will learn by doing: play, build, draw and talk about what we find.",
        "You will learn by doing: each challenge comes with a hands-on activity.",
        "You will explore each objective through hands-on, collaborative activities.",
        "You will investigate each objective through structured, collaborative tasks.",
    ),
    "review": (
        "We will remember what we learned before and practise it again.",
        "You will look back at what you have learned and practise it again.",
        "You will revisit each objective, practise it and find any gaps to work on.",
        "You will consolidate each objective, practise retrieval and identify gaps to address.",
    ),
}

_HOOKS = (
    "What do you already know about {focus}? Tell a friend one idea.",
    "What do you already know about {focus}? Write down one idea and one question.",
    "Before you start, note what you already know about {focus} and one question you have.",
    "Before starting, record what you already know about {focus} and a question you want answered.",
)

_TYPE_NOTES = {
    "lesson": (
        "Practise it with a partner.",
        "Practise with the examples, then try one on your own.",
        "Practise with the examples, then check your work against the success criteria.",
        "Practise with the examples and check your work against the success criteria.",
    ),
    "study_guide": (
        "Say it out loud to help you remember.",
        "Study tip: cover your notes and explain this idea from memory.",
        "Study tip: explain this idea from memory, then check your notes and fill the gaps.",
        "Study tip: use retrieval practice - explain the idea from memory, then verify it.",
    ),
    "activity": (
        "You will try this in the activities below.",
        "You will practise this in the activities below.",
        "You will explore this in the activities below.",
        "You will investigate this in the activities below.",
    ),
    "review": (
        "Can you do it without help? Try it and see.",
        "Quick check: can you do this without looking at your notes?",
        "Quick check: can you do this from memory? If not, review the key terms again.",
        "Quick check: can you do this from memory and explain why it works?",
    ),
}

_WRAP_UP = (
    "Today we worked on: {objectives}. Tell a partner your favourite thing you learned.",
    "In this {label} you worked on: {objectives}. Write one sentence about something new "
    "you learned and one question you still have.",
    "In this {label} you worked on: {objectives}. Summarise the key ideas in two or three "
    "sentences and note one thing you want to explore further.",
    "This {label} addressed: {objectives}. Synthesise the key ideas in a short paragraph, "
    "note one connection to another topic, and identify one question for further study.",
)

_SECTION_MINUTES = (5, 8, 10, 12)
_BAND_TIME_FACTOR = (0.7, 0.85, 1.0, 1.1)
_COMPLEXITY_TIME_FACTOR = {"basic": 0.9, "intermediate": 1.0, "advanced": 1.2}
_TYPE_SECTION_FACTOR = {"lesson": 1.0, "study_guide": 0.6, "activity": 0.5, "review": 0.6}

_VOCABULARY_COUNTS = {"basic": (3, 4, 4, 5), "intermediate": (4, 5, 6, 6), "advanced": (5, 6, 8, 8)}
_ACTIVITY_COUNTS = {
    "lesson": {"basic": 2, "intermediate": 3, "advanced": 3},
    "study_guide": {"basic": 1, "intermediate": 2, "advanced": 2},
    "activity": {"basic": 3, "intermediate": 4, "advanced": 5},
    "review": {"basic": 2, "intermediate": 2, "advanced": 3},
}

# --------------------------------------------------------------------------------------------
# Activities
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Activity:
    key: str
    title: str
    minutes: int
    instructions: tuple[str, str]  # (K-2 wording, grades 3-12 wording)
    types: tuple[str, ...] = CONTENT_TYPES
    subject: str | None = None
    min_band: int = 0
    min_complexity: str = "basic"


_ACTIVITIES = (
    _Activity(
        "worked_examples",
        "Worked Examples",
        15,
        (
            "Use counters, blocks or drawings to show {focus}. Solve three problems with a "
            "partner and show your work.",
            "Follow a worked example of {focus} step by step. Then solve three similar problems "
            "on your own, showing every step, and check your answers with a partner.",
        ),
        types=("lesson", "activity", "study_guide"),
        subject="mathematics",
    ),
    _Activity(
        "math_error_analysis",
        "Find the Mistake",
        10,
        (
            "Look at a problem your teacher solved with a mistake. Find the mistake and fix it "
            "together.",
            "Study a solution about {focus} that contains a common mistake. Identify the error, "
            "explain why it is wrong and write a correct solution.",
        ),
        types=("lesson", "activity", "review"),
        subject="mathematics",
        min_complexity="intermediate",
    ),
    _Activity(
        "predict_observe_explain",
        "Predict - Observe - Explain",
        20,
        (
            "Guess what will happen in a short demonstration about {focus}. Watch carefully, "
            "then draw and tell what happened.",
            "Predict what will happen in a short demonstration related to {focus}. Observe and "
            "record what happens, then explain any difference between your prediction and your "
            "observation.",
        ),
        types=("lesson", "activity"),
        subject="science",
    ),
    _Activity(
        "fair_test",
        "Design a Fair Test",
        25,
        (
            "With your group, plan a simple test about {focus}. Change only one thing and "
            "watch what happens.",
            "Plan a fair test related to {focus}: state a hypothesis, choose the variable you "
            "will change, the variable you will measure and the variables you will keep the "
            "same, then carry it out and record your results in a table.",
        ),
        types=("activity", "lesson"),
        subject="science",
        min_band=1,
        min_complexity="intermediate",
    ),
    _Activity(
        "source_detective",
        "Source Detective",
        20,
        (
            "Look at an old photo or object connected to {focus}. Talk about who made it, "
            "when, and what it tells us.",
            "Examine a primary source (a letter, photograph, map or artefact) related to "
            "{focus}. Identify who made it, when and why, and what it tells us - and what it "
            "leaves out.",
        ),
        types=("lesson", "activity"),
        subject="history",
    ),
    _Activity(
        "timeline_builder",
        "Timeline Builder",
        15,
        (
            "Put picture cards about {focus} in order from first to last.",
            "Build a timeline of the key events connected to {focus}. Add a date and a "
            "one-sentence description to each event and mark one cause-and-effect link.",
        ),
        types=("lesson", "activity", "review", "study_guide"),
        subject="history",
    ),
    _Activity(
        "map_investigation",
        "Map Investigation",
        15,
        (
            "Use a map or globe to find places connected to {focus}. Point to them and say "
            "what you see.",
            "Use a map or atlas to locate places connected to {focus}. Mark them, add a key, "
            "and write two observations about patterns you notice.",
        ),
        types=("lesson", "activity", "study_guide"),
        subject="geography",
    ),
    _Activity(
        "close_reading",
        "Close Reading",
        20,
        (
            "Listen to a short text about {focus}. Point to words you know and draw a picture "
            "of the most important part.",
            "Read a short passage connected to {focus}. Underline key details, circle unfamiliar "
            "words, and answer: what is the author saying, and how do you know?",
        ),
        types=("lesson", "activity", "study_guide"),
        subject="english",
    ),
    _Activity(
        "unplugged_algorithm",
        "Unplugged Algorithm",
        15,
        (
            "Give a partner step-by-step instructions for {focus}, like programming a robot. "
            "Fix any step that does not work.",
            "Write step-by-step instructions (an algorithm) for {focus}. A partner follows them "
            "exactly as written; find and fix (debug) any step that does not work.",
        ),
        types=("lesson", "activity"),
        subject="computer_science",
    ),
    _Activity(
        "pair_programming",
        "Pair Programming",
        25,
        (
            "Work with a partner on a short coding puzzle about {focus}, taking turns to use "
            "the mouse.",
            "In pairs, write and test a short program related to {focus}: one partner types "
            "(driver) while the other reviews (navigator); swap roles every five minutes.",
        ),
        types=("lesson", "activity"),
        subject="computer_science",
        min_band=2,
    ),
    _Activity(
        "think_pair_share",
        "Think-Pair-Share",
        10,
        (
            "Think quietly about {focus}. Turn to a partner and take turns sharing your idea. "
            "Then share one idea with the class.",
            "Think on your own for one minute about {focus}. Share your thinking with a partner, "
            "agree on the clearest explanation, and share it with the class.",
        ),
        types=("lesson", "activity", "review"),
    ),
    _Activity(
        "vocabulary_match",
        "Vocabulary Match",
        10,
        (
            "Match each word card ({terms}) to its picture or meaning. Say each word out loud.",
            "Match each key term ({terms}) to its definition, then use two of the terms in "
            "sentences of your own about {focus}.",
        ),
        types=("lesson", "activity", "review", "study_guide"),
    ),
    _Activity(
        "concept_map",
        "Concept Map",
        15,
        (
            "Draw a picture web with {focus} in the middle and things you learned around it.",
            "Create a concept map that links {terms} to {focus}. Label each connecting line with "
            "a short phrase explaining the relationship.",
        ),
        types=("lesson", "study_guide", "review", "activity"),
        min_complexity="intermediate",
    ),
    _Activity(
        "gallery_walk",
        "Gallery Walk",
        15,
        (
            "In small groups, draw a poster about {focus}. Walk around and look at the other "
            "posters.",
            "In small groups, make a poster that explains {focus}. Visit the other posters and "
            "leave one comment or question on each.",
        ),
        types=("activity", "lesson"),
    ),
    _Activity(
        "teach_it_back",
        "Teach It Back",
        10,
        (
            "Show a partner {focus} like a teacher would. Then swap.",
            "In pairs, one partner teaches {focus} in two minutes using at least two key terms; "
            "the listener asks one follow-up question. Then swap roles.",
        ),
        types=("lesson", "activity", "review"),
        min_complexity="advanced",
    ),
    _Activity(
        "flashcards",
        "Flashcards",
        10,
        (
            "Make a picture card for each new word ({terms}) and practise them with a grown-up.",
            "Make a flashcard for each key term ({terms}): the term on the front, its definition "
            "and an example on the back. Test yourself until you get each card right twice.",
        ),
        types=("study_guide", "review"),
    ),
    _Activity(
        "brain_dump",
        "Memory Check",
        10,
        (
            "Without looking, draw or tell everything you remember about {focus}.",
            "Close your notes and write down everything you remember about {focus}. Then check "
            "your notes and add anything you missed in a different colour.",
        ),
        types=("study_guide", "review"),
    ),
    _Activity(
        "quiz_trade",
        "Quiz-Quiz-Trade",
        10,
        (
            "Hold a question card about {focus}. Ask a partner, listen to the answer, then swap "
            "cards and find a new partner.",
            "Write a question about {focus} on a card with the answer on the back. Pair up, "
            "quiz each other, swap cards and find a new partner.",
        ),
        types=("review", "activity"),
    ),
    _Activity(
        "exit_ticket",
        "Exit Ticket",
        5,
        (
            "Draw or tell one thing you learned about {focus}.",
            "Before you leave, answer in writing: what is one thing you learned about {focus}? "
            "What question do you still have?",
        ),
        types=("lesson", "review"),
    ),
)


def _select_activities(
    rng: random.Random,
    subject: str | None,
    content_type: str,
    complexity: str,
    band: int,
    count: int,
) -> list[_Activity]:
    level = COMPLEXITIES.index(complexity)
    eligible = [
        a
        for a in _ACTIVITIES
        if content_type in a.types
        and a.min_band <= band
        and COMPLEXITIES.index(a.min_complexity) <= level
        and a.subject in (None, subject)
    ]
    specific = [a for a in eligible if a.subject is not None]
    generic = [a for a in eligible if a.subject is None]
    closers = [a for a in generic if a.key == "exit_ticket"]
    generic = [a for a in generic if a.key != "exit_ticket"]
    rng.shuffle(specific)
    rng.shuffle(generic)
    chosen = (specific + generic)[: max(0, count - len(closers))]
    chosen += closers[: count - len(chosen)]
    if len(chosen) < count:  # pragma: no cover - the library is large enough
        chosen += generic[len(chosen) : count]
    return chosen


def _activity_minutes(activity: _Activity, band: int, complexity: str) -> int:
    minutes = activity.minutes * _BAND_TIME_FACTOR[band] * _COMPLEXITY_TIME_FACTOR[complexity]
    return max(5, int(5 * round(minutes / 5)))


# --------------------------------------------------------------------------------------------
# Mathematics practice (computed answers)
# --------------------------------------------------------------------------------------------

_MATH_TOPIC_RULES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (topic, frozenset(words.split()))
    for topic, words in (
        ("quadratic_equations", "quadratic"),
        ("systems_of_equations", "system equation"),
        ("systems_of_equations", "simultaneous"),
        ("order_of_operations", "order operation"),
        ("percentages", "percent"),
        ("percentages", "percentage"),
        ("exponents", "exponent"),
        ("exponents", "power"),
        ("linear_equations", "equation"),
        ("fractions.multiply", "fraction multiply"),
        ("fractions.subtract", "fraction subtract"),
        ("fractions.add", "fraction"),
        ("arithmetic.division", "divide"),
        ("arithmetic.division", "division"),
        ("arithmetic.multiplication", "multiply"),
        ("arithmetic.multiplication", "multiplication"),
        ("arithmetic.multiplication", "times"),
        ("arithmetic.subtraction", "subtract"),
        ("arithmetic.subtraction", "subtraction"),
        ("arithmetic.addition", "add"),
        ("arithmetic.addition", "addition"),
        ("arithmetic.addition", "sum"),
    )
)


def _math_topic(objective: _Objective) -> str | None:
    words = {_stem(w) for w in _words(objective.text)}
    for topic, required in _MATH_TOPIC_RULES:
        if all(any(_stem_match(_stem(r), w) for w in words) for r in required):
            return topic
    return None


def _math_practice(
    objective: _Objective, grade: int, complexity: str, seed: int
) -> tuple[str, str] | None:
    topic = _math_topic(objective)
    if topic is None:
        return None
    difficulty = {"basic": "easy", "intermediate": "medium", "advanced": "hard"}[complexity]
    question = generate_math_question(
        topic=topic, grade_level=grade, seed=seed, difficulty=difficulty
    )
    return question.prompt, f"{question.answer}. {question.explanation}"


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def _derive_seed(*parts: object) -> int:
    payload = "\x1f".join([_SEED_NAMESPACE, *(repr(p) for p in parts)]).encode("utf-8")
    return int.from_bytes(hashlib.sha256(payload).digest()[:8], "big")


def _band_index(grade: int) -> int:
    return grade_band_index(grade)


def _resolve_subject(subject: object) -> tuple[str, str]:
    """(canonical id, display label); ``ValueError`` naming the allowed subjects otherwise."""
    key = subject_normalize(subject, kind=LESSON)
    return key, subject_label(key)


def _validate(
    grade_level: object,
    learning_objectives: object,
    content_type: object,
    complexity: object,
    seed: object,
) -> None:
    if isinstance(grade_level, bool) or not isinstance(grade_level, int):
        raise ValueError(f"grade_level must be an integer, got {grade_level!r}")
    grade_normalize(grade_level)  # names the allowed values
    if content_type not in CONTENT_TYPES:
        raise ValueError(
            f"unknown content_type {content_type!r}; expected one of: {', '.join(CONTENT_TYPES)}"
        )
    if complexity not in COMPLEXITIES:
        raise ValueError(
            f"unknown complexity {complexity!r}; expected one of: {', '.join(COMPLEXITIES)}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not isinstance(learning_objectives, list | tuple):
        raise ValueError("learning_objectives must be a list of strings")
    if not 1 <= len(learning_objectives) <= MAX_OBJECTIVES:
        raise ValueError(
            f"learning_objectives must contain between 1 and {MAX_OBJECTIVES} items, "
            f"got {len(learning_objectives)}"
        )
    for index, objective in enumerate(learning_objectives):
        if not isinstance(objective, str) or not objective.strip():
            raise ValueError(f"learning objective {index + 1} must be a non-empty string")
        if len(objective.strip()) > MAX_OBJECTIVE_LENGTH:
            raise ValueError(
                f"learning objective {index + 1} is longer than {MAX_OBJECTIVE_LENGTH} characters"
            )


def generate_lesson(
    *,
    subject: str,
    grade_level: int,
    learning_objectives: list[str],
    content_type: str,
    complexity: str,
    seed: int = 0,
) -> dict[str, Any]:
    """Generate a structured lesson plan (a JSON-serialisable dict). See the module docstring."""
    subject_key, subject_name = _resolve_subject(subject)
    _validate(grade_level, learning_objectives, content_type, complexity, seed)
    grade = grade_level
    band = _band_index(grade)
    glossary = _load_glossary(str(GLOSSARY_PATH))
    terms = glossary.get(subject_key) or glossary["general"]
    glossary_stems = set().union(*(t.name_stems | t.keyword_stems for t in terms))
    objectives = [_clean_objective(o, glossary_stems) for o in learning_objectives]

    rng = random.Random(
        _derive_seed(
            subject_key,
            grade,
            tuple(o.text for o in objectives),
            content_type,
            complexity,
            seed,
        )
    )
    label = _CONTENT_LABELS[content_type]

    # vocabulary ---------------------------------------------------------------------------
    vocab_count = _VOCABULARY_COUNTS[complexity][band] + (2 if content_type == "study_guide" else 0)
    vocabulary = _select_vocabulary(rng, terms, objectives, band, vocab_count, complexity)
    per_objective_terms = []
    for objective in objectives:
        scored = [(_term_score(t, objective.stems), i, t) for i, t in enumerate(vocabulary)]
        per_objective_terms.append(
            [
                t
                for score, _i, t in sorted(scored, key=lambda x: (-x[0], x[1]))
                if score >= _MATCH_THRESHOLD
            ][:3]
        )

    # activities ---------------------------------------------------------------------------
    activity_count = _ACTIVITY_COUNTS[content_type][complexity]
    if content_type == "activity":
        activity_count = max(activity_count, min(len(objectives), 6))
    chosen_activities = _select_activities(
        rng, subject_key, content_type, complexity, band, activity_count
    )
    term_names = [t.term for t in vocabulary[:5]] or ["the key terms"]
    activities = []
    for index, activity in enumerate(chosen_activities):
        objective = objectives[index % len(objectives)]
        template = activity.instructions[0 if band == 0 else 1]
        focus = objective.focus
        if (
            activity.key in ("vocabulary_match", "flashcards", "exit_ticket")
            and len(objectives) > 1
        ):
            focus = "today's objectives" if content_type != "review" else "these objectives"
        activities.append(
            {
                "title": activity.title,
                "instructions": template.format(focus=focus, terms=_join_list(term_names)),
                "duration_minutes": _activity_minutes(activity, band, complexity),
                "objective": None if focus != objective.focus else objective.text,
            }
        )
    activity_titles = {
        i: a["title"] for i, a in enumerate(activities) if a["objective"] is not None
    }

    # sections -----------------------------------------------------------------------------
    intro_heading, part_heading, wrap_heading = _SECTION_HEADINGS[content_type]
    goals = [o.goal for o in objectives]
    if band == 0:
        plans = [o.text if o.is_action else f"learn about {o.text}" for o in objectives]
        intro_goal = f"Today {_YOU[band]} will {_join_list(plans)}."
    else:
        intro_goal = (
            f"By the end of this {label.lower()}, {_YOU[band]} should be able to: "
            f"{'; '.join(goals)}."
        )
    sections = [
        {
            "heading": intro_heading,
            "body": " ".join(
                [
                    intro_goal,
                    _HOOKS[band].format(focus=objectives[0].focus),
                    _PLAN[content_type][band],
                ]
            ),
        }
    ]
    approach = _APPROACH.get(subject_key, _APPROACH[None])[band]
    for number, (objective, key_terms) in enumerate(
        zip(objectives, per_objective_terms, strict=True), start=1
    ):
        parts = [_focus_sentence(objective, band, content_type), approach]
        if key_terms:
            if band <= 1:
                parts.append(
                    ("Words to know: " if band == 0 else "Key terms: ")
                    + "; ".join(f"{t.term} - {t.definition.rstrip('.')}" for t in key_terms)
                    + "."
                )
            else:
                parts.append(
                    f"Key terms: {_join_list([t.term for t in key_terms])} (see the vocabulary "
                    "list)."
                )
        if subject_key == "mathematics" and content_type in ("lesson", "study_guide"):
            example = _math_practice(objective, grade, complexity, seed=seed * 1000 + number)
            if example:
                prompt = example[0] if example[0].endswith(("?", ".")) else example[0] + "."
                parts.append(f"Worked example: {prompt} Answer: {example[1]}")
        parts.append(_COMPLEXITY_NOTES[complexity][band])
        note = _TYPE_NOTES[content_type][band]
        matching = [
            title for i, title in activity_titles.items() if i % len(objectives) == number - 1
        ]
        if content_type == "activity" and matching:
            note = f'{note.rstrip(".")} (see "{matching[0]}").'
        parts.append(note)
        sections.append(
            {
                "heading": part_heading.format(n=number, heading=objective.heading),
                "body": " ".join(_sentence(p) for p in parts),
            }
        )
    wrap = _WRAP_UP[band].format(
        label=label.lower(), objectives="; ".join(o.text for o in objectives)
    )
    next_steps = {
        "lesson": "Next time we will build on these ideas.",
        "study_guide": "Revisit any key idea you could not explain from memory.",
        "activity": "Share one thing your group discovered with the class.",
        "review": "Mark each objective as secure, almost there or needs more practice.",
    }[content_type]
    sections.append({"heading": wrap_heading, "body": f"{wrap} {next_steps}"})

    # assessment ---------------------------------------------------------------------------
    assessment = []
    for number, (objective, key_terms) in enumerate(
        zip(objectives, per_objective_terms, strict=True), start=1
    ):
        assessment.append(_explain_item(objective, key_terms, band))
        if complexity != "basic" or content_type == "review":
            assessment.append(_example_item(objective, band))
        if complexity == "advanced":
            assessment.append(_transfer_item(objective, band))
        if subject_key == "mathematics":
            practice = _math_practice(objective, grade, complexity, seed=seed * 1000 + 500 + number)
            if practice:
                assessment.append(
                    {
                        "question": f"Practice ({objective.text}): {practice[0]}",
                        "answer": practice[1],
                    }
                )
    vocab_checks = {"basic": 2, "intermediate": 3, "advanced": 4}[complexity]
    vocab_checks += 2 if content_type in ("review", "study_guide") else 0
    for term in vocabulary[:vocab_checks]:
        question = (
            f'What does the word "{term.term}" mean?'
            if band <= 1
            else f'Define "{term.term}" in your own words.'
        )
        assessment.append({"question": question, "answer": term.definition})

    # timing -------------------------------------------------------------------------------
    section_minutes = (
        _SECTION_MINUTES[band]
        * _COMPLEXITY_TIME_FACTOR[complexity]
        * _TYPE_SECTION_FACTOR[content_type]
    )
    total = (
        5  # introduction
        + len(objectives) * section_minutes
        + sum(a["duration_minutes"] for a in activities)
        + len(assessment) * (1 if band == 0 else 1.5)
        + 5  # wrap-up
    )
    estimated = max(10, int(5 * round(total / 5)))

    article = "An" if complexity[0] in "aeiou" else "A"
    summary = (
        f"{article} {complexity} {label.lower()} for {grade_label(grade)} {subject_name} "
        f"({_BAND_NAMES[band]}) covering {len(objectives)} learning "
        f"objective{'s' if len(objectives) != 1 else ''}: "
        f"{'; '.join(o.text for o in objectives)}. It includes {len(vocabulary)} key terms, "
        f"{len(activities)} activit{'ies' if len(activities) != 1 else 'y'} and "
        f"{len(assessment)} check-for-understanding questions (about {estimated} minutes)."
    )
    title = f"{subject_name} {label}: {_shorten(_capitalise(objectives[0].text), 60)}"
    if len(objectives) > 1:
        title += f" (+{len(objectives) - 1} more)"

    return {
        "title": title,
        "summary": summary,
        "subject": subject_key,
        "grade_level": grade,
        "grade_band": _BAND_NAMES[band],
        "content_type": content_type,
        "complexity": complexity,
        "learning_objectives": [o.text for o in objectives],
        "sections": sections,
        "vocabulary": [{"term": t.term, "definition": t.definition} for t in vocabulary],
        "activities": [{k: v for k, v in a.items() if k != "objective"} for a in activities],
        "assessment": assessment,
        "estimated_duration_minutes": estimated,
    }


def _focus_sentence(objective: _Objective, band: int, content_type: str) -> str:
    if content_type == "review":
        return (
            f"Let's remember how to {objective.text}"
            if objective.is_action and band == 0
            else f"Let's remember {objective.text}"
            if band == 0
            else f"Recall what you have learned: {objective.text}"
        )
    if band == 0:
        return (
            f"We will learn to {objective.text}"
            if objective.is_action
            else f"We will learn about {objective.text}"
        )
    if band == 1:
        return (
            f"In this part you will learn to {objective.text}"
            if objective.is_action
            else f"In this part you will learn about {objective.text}"
        )
    if band == 2:
        return f"Goal: {objective.text}"
    return f"Objective: {objective.text}"


def _criteria_terms(key_terms: list[_Term]) -> str:
    if not key_terms:
        return "uses the correct subject vocabulary"
    noun = "term" if len(key_terms) == 1 else "terms"
    return f"uses the {noun} {_join_list([t.term for t in key_terms])} correctly"


def _explain_item(objective: _Objective, key_terms: list[_Term], band: int) -> dict[str, str]:
    if band == 0:
        question = (
            f"Show or tell how you can {objective.text}."
            if objective.is_action and not objective.is_topic_verb
            else f"{_capitalise(objective.text)}: tell or draw what you know."
            if objective.is_action
            else f"Tell one thing you learned about {objective.text}."
        )
        answer = (
            f"The student shows or tells {objective.focus} correctly, in their own words, "
            f"and {_criteria_terms(key_terms)}."
        )
    else:
        if objective.is_topic_verb:
            question = f"{_capitalise(objective.text)}. Use your own words."
        elif objective.is_action:
            question = f"Explain, step by step, how to {objective.text}."
        else:
            question = f"In your own words, explain {objective.text}."
        answer = (
            f"A complete answer accurately explains {objective.focus}, "
            f"{_criteria_terms(key_terms)}, and includes at least one correct example."
        )
    return {"question": question, "answer": answer}


def _example_item(objective: _Objective, band: int) -> dict[str, str]:
    if band <= 1:
        question = f"Give an example of {objective.focus}."
        answer = (
            f"Any correct example of {objective.focus}, with a short explanation of why it fits."
        )
    else:
        question = f"Give an example of {objective.focus} and explain why it fits."
        answer = (
            f"A correct example of {objective.focus} with reasoning that links each step or "
            "feature of the example to the key ideas of the objective."
        )
    return {"question": question, "answer": answer}


def _transfer_item(objective: _Objective, band: int) -> dict[str, str]:
    if band <= 1:
        question = f"Apply it: where could you use what you learned about {objective.focus}?"
        answer = f"A sensible real-life situation where {objective.focus} is useful, with a reason."
    else:
        question = (
            f"Apply your understanding of {objective.focus} to a new, unfamiliar situation. "
            "Describe the situation and justify your approach."
        )
        answer = (
            f"A strong answer transfers {objective.focus} to a genuinely new context, explains "
            "the steps taken and justifies them with evidence or reasoning; it also notes any "
            "limitations."
        )
    return {"question": question, "answer": answer}
