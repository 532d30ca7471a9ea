"""The classroom's pages: thin views over the apps' services and selectors, one module per
concern (``access``: the role checks every view starts with; ``signing_in``, ``students``,
``classrooms``, ``generating``, ``content``). ``classroom/urls.py`` routes to the names below.

Who may see what: anonymous visitors are sent to the sign-in page; a page for another role
answers 403; content or a class the user may not see answers 404 (as in the API, nothing tells
whether it exists). Forms are CSRF-protected (Django's middleware); htmx requests send the token
in a header (``base.html``).
"""

from classroom.views.classrooms import (
    class_detail,
    classes,
    gradebook,
    join_code_rotate,
    student_remove,
)
from classroom.views.content import lesson, publish, quiz, quiz_submit, terrain
from classroom.views.generating import generate, generate_terrain, job
from classroom.views.signing_in import SignInView, SignOutView, home
from classroom.views.students import join, student_home, student_published

__all__ = [
    "SignInView",
    "SignOutView",
    "class_detail",
    "classes",
    "generate",
    "generate_terrain",
    "gradebook",
    "home",
    "job",
    "join",
    "join_code_rotate",
    "lesson",
    "publish",
    "quiz",
    "quiz_submit",
    "student_home",
    "student_published",
    "student_remove",
    "terrain",
]
