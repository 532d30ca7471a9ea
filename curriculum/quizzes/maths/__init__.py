"""Procedural mathematics questions: every answer is *computed* (integers and
:class:`fractions.Fraction`), never looked up. See :mod:`curriculum.quizzes.maths.topics`."""

from curriculum.quizzes.maths.topics import MATH_TOPICS, generate_math_question, math_topics_for

__all__ = ["MATH_TOPICS", "generate_math_question", "math_topics_for"]
