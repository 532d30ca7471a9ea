"""Signals the quizzes app sends; ``live`` receives them (``LiveConfig.ready``)."""

from django.dispatch import Signal

#: A student's attempt was graded. Sender: ``QuizAttempt``; arguments: ``attempt`` and
#: ``classroom_ids`` (the classes the student took the quiz in, whose gradebooks update).
quiz_attempt_graded = Signal()
