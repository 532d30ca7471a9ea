"""Check-for-understanding items and, for mathematics, practice problems whose answers are
computed by :func:`curriculum.quizzes.generate_math_question`."""

from __future__ import annotations

from curriculum.lessons.glossary import Term
from curriculum.lessons.objectives import Objective
from curriculum.lessons.words import capitalise, join_list, stems_match, text_words, word_stem
from curriculum.quizzes import generate_math_question

# Which procedural topic an objective practises: the first rule whose words all appear in it.
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


def _math_topic(objective: Objective) -> str | None:
    words = {word_stem(w) for w in text_words(objective.text)}
    for topic, required in _MATH_TOPIC_RULES:
        if all(any(stems_match(word_stem(r), w) for w in words) for r in required):
            return topic
    return None


def math_practice(
    objective: Objective, grade: int, complexity: str, seed: int
) -> tuple[str, str] | None:
    topic = _math_topic(objective)
    if topic is None:
        return None
    difficulty = {"basic": "easy", "intermediate": "medium", "advanced": "hard"}[complexity]
    question = generate_math_question(
        topic=topic, grade_level=grade, seed=seed, difficulty=difficulty
    )
    return question.prompt, f"{question.answer}. {question.explanation}"


def focus_sentence(objective: Objective, band: int, content_type: str) -> str:
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


def _criteria_terms(key_terms: list[Term]) -> str:
    if not key_terms:
        return "uses the correct subject vocabulary"
    noun = "term" if len(key_terms) == 1 else "terms"
    return f"uses the {noun} {join_list([t.term for t in key_terms])} correctly"


def explain_item(objective: Objective, key_terms: list[Term], band: int) -> dict[str, str]:
    if band == 0:
        question = (
            f"Show or tell how you can {objective.text}."
            if objective.is_action and not objective.is_topic_verb
            else f"{capitalise(objective.text)}: tell or draw what you know."
            if objective.is_action
            else f"Tell one thing you learned about {objective.text}."
        )
        answer = (
            f"The student shows or tells {objective.focus} correctly, in their own words, "
            f"and {_criteria_terms(key_terms)}."
        )
    else:
        if objective.is_topic_verb:
            question = f"{capitalise(objective.text)}. Use your own words."
        elif objective.is_action:
            question = f"Explain, step by step, how to {objective.text}."
        else:
            question = f"In your own words, explain {objective.text}."
        answer = (
            f"A complete answer accurately explains {objective.focus}, "
            f"{_criteria_terms(key_terms)}, and includes at least one correct example."
        )
    return {"question": question, "answer": answer}


def example_item(objective: Objective, band: int) -> dict[str, str]:
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


def transfer_item(objective: Objective, band: int) -> dict[str, str]:
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
