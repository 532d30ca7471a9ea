"""A teacher's classes: the list, one class, its join code, its students, a gradebook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from classroom import forms, selectors
from classroom.views.access import managed_classroom, page, require_teacher
from lessons import selectors as lesson_selectors
from quizzes import selectors as quiz_selectors
from terrain import selectors as terrain_selectors


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    teacher = require_teacher(request)
    form = forms.ClassroomForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            classroom = account_services.classroom_create(
                teacher=teacher, name=form.cleaned_data["name"]
            )
            messages.success(request, f"Class {classroom.name} created.")
            return redirect("classroom:class_detail", classroom_id=classroom.pk)
    context = {
        "classrooms": account_selectors.classroom_list(user=teacher),
        "form": form,
        "lessons": lesson_selectors.lesson_list(user=teacher).filter(owner=teacher)[:20],
        "quizzes": quiz_selectors.quiz_list(user=teacher).filter(owner=teacher)[:20],
        "terrains": terrain_selectors.terrain_list(user=teacher).filter(owner=teacher)[:20],
    }
    return page(request, "classes.html", context, 400 if form.errors else 200)


@login_required
@require_GET
def class_detail(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = managed_classroom(request, classroom_id)
    return page(
        request,
        "class_detail.html",
        {
            "classroom": classroom,
            "students": sorted(classroom.students.all(), key=lambda s: s.username.lower()),
            **selectors.classroom_published(classroom=classroom),
        },
    )


@login_required
@require_POST
def join_code_rotate(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = managed_classroom(request, classroom_id)
    account_services.classroom_join_code_rotate(classroom=classroom)
    if request.htmx:
        return page(request, "_join_code.html", {"classroom": classroom})
    messages.success(request, "New join code issued; the old one no longer works.")
    return redirect("classroom:class_detail", classroom_id=classroom.pk)


@login_required
@require_POST
def student_remove(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom = managed_classroom(request, classroom_id)
    if not account_services.classroom_student_remove(classroom=classroom, student_id=student_id):
        raise Http404("No such student in this class")
    if request.htmx:
        return HttpResponse("")  # the row is swapped out
    messages.success(request, "Student removed from the class.")
    return redirect("classroom:class_detail", classroom_id=classroom.pk)


@login_required
@require_GET
def gradebook(request: HttpRequest, classroom_id: int, quiz_id: int) -> HttpResponse:
    classroom = managed_classroom(request, classroom_id)
    quiz = selectors.classroom_quiz_get(classroom=classroom, quiz_id=quiz_id)
    if quiz is None:
        raise Http404("This quiz was not published to this class")
    book = selectors.gradebook_get(classroom=classroom, quiz=quiz)
    template = "_gradebook.html" if request.GET.get("part") == "table" else "gradebook.html"
    return page(request, template, {"book": book})
