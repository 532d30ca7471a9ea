"""Content pages: a lesson, a quiz (taken and submitted by students), a terrain; publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors as account_selectors
from accounts.models import User
from classroom import forms, selectors
from classroom.views.access import page, require_student, require_teacher
from lessons import selectors as lesson_selectors
from publishing.services import content_publish
from quizzes import selectors as quiz_selectors
from quizzes import services as quiz_services
from terrain import selectors as terrain_selectors
from toolbox.errors import NotFound


def _publish_form(user: User) -> forms.PublishForm:
    return forms.PublishForm(classrooms=account_selectors.classroom_list(user=user))


@login_required
@require_GET
def lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    found = lesson_selectors.lesson_get(user=request.user, lesson_id=lesson_id)
    if found is None:
        raise Http404("Lesson not found")
    teacher_view = lesson_selectors.lesson_teacher_fields_visible(user=request.user)
    context = {
        "lesson": selectors.lesson_page_content(lesson=found, teacher_view=teacher_view),
        "teacher_view": teacher_view,
        "content_id": found.pk,
    }
    if teacher_view:
        context["publish_form"] = _publish_form(request.user)
        context["published_to"] = list(found.classrooms.all())
    return page(request, "lesson.html", context)


@login_required
@require_GET
def quiz(request: HttpRequest, quiz_id: int) -> HttpResponse:
    user: User = request.user
    found = quiz_selectors.quiz_get(user=user, quiz_id=quiz_id)
    if found is None:
        raise Http404("Quiz not found")
    if quiz_selectors.quiz_answers_visible(user=user):
        return page(
            request,
            "quiz_review.html",
            {
                "quiz": found,
                "publish_form": _publish_form(user),
                "published_to": list(found.classrooms.all()),
            },
        )
    attempt = selectors.quiz_attempt_get(quiz=found, student=user)
    if attempt is not None:
        rows = selectors.quiz_result_rows(quiz=found, attempt=attempt)
        return page(request, "quiz_result.html", {"quiz": found, "attempt": attempt, "rows": rows})
    taking = selectors.quiz_for_taking(quiz=found)
    return page(request, "quiz_take.html", {"quiz": taking})


@login_required
@require_POST
def quiz_submit(request: HttpRequest, quiz_id: int) -> HttpResponse:
    student = require_student(request)
    found = quiz_selectors.quiz_get_for_attempt(user=student, quiz_id=quiz_id)
    if found is None:
        raise Http404("Quiz not found")
    answers: list[int | None] = []
    for index in range(len(found.questions)):
        value = request.POST.get(f"q{index}", "")
        answers.append(int(value) if value.isdigit() else None)
    try:
        quiz_services.quiz_attempt_submit(quiz=found, student=student, answers=answers)
    except quiz_services.AlreadySubmitted:
        messages.info(request, "You had already submitted this quiz: here is your result.")
    except ValueError:
        messages.error(request, "Those answers do not fit this quiz. Please try again.")
        return redirect("classroom:quiz", quiz_id=found.pk)
    return redirect("classroom:quiz", quiz_id=found.pk)


PUBLISH = {
    "lesson": (lesson_selectors.lesson_get, "lesson_id"),
    "quiz": (quiz_selectors.quiz_get, "quiz_id"),
}


@login_required
@require_POST
def publish(request: HttpRequest, kind: str, content_id: int) -> HttpResponse:
    user = require_teacher(request)
    if kind not in PUBLISH:
        raise Http404("Only lessons and quizzes are published to a class")
    get, id_name = PUBLISH[kind]
    content = get(user=user, **{id_name: content_id})
    if content is None:
        raise Http404(f"{kind.title()} not found")
    form = forms.PublishForm(request.POST, classrooms=account_selectors.classroom_list(user=user))
    if not form.is_valid():
        raise Http404("Classroom not found")
    try:
        content_publish(content=content, user=user, classroom_id=form.cleaned_data["classroom_id"])
    except NotFound:
        raise Http404("Classroom not found") from None
    messages.success(request, "Published to the class. Its students see it now.")
    return redirect(f"classroom:{kind}", content_id)


@login_required
@require_GET
def terrain(request: HttpRequest, terrain_id: int) -> HttpResponse:
    user = require_teacher(request)
    found = terrain_selectors.terrain_get(user=user, terrain_id=terrain_id)
    if found is None:
        raise Http404("Terrain not found")
    return page(request, "terrain.html", {"terrain": found})
