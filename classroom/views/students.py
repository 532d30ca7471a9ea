"""A student's pages: their classes and what was published to them, joining a class."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from accounts import selectors as account_selectors
from accounts import services as account_services
from classroom import forms, selectors
from classroom.views.access import page, require_student


@login_required
@require_GET
def student_home(request: HttpRequest) -> HttpResponse:
    student = require_student(request)
    return page(
        request,
        "student_home.html",
        {
            "classrooms": account_selectors.classroom_list(user=student),
            "items": selectors.student_published(student=student),
        },
    )


@login_required
@require_GET
def student_published(request: HttpRequest) -> HttpResponse:
    """The list alone, re-read when a classroom socket announces new content (htmx)."""
    student = require_student(request)
    return page(request, "_published.html", {"items": selectors.student_published(student=student)})


@login_required
def join(request: HttpRequest) -> HttpResponse:
    student = require_student(request)
    form = forms.JoinForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                classroom = account_services.classroom_join(
                    student=student, code=form.cleaned_data["code"]
                )
            except account_services.JoinThrottled as exc:
                form.add_error(
                    "code",
                    f"Too many wrong codes. Try again in {forms.retry_phrase(exc.retry_after)}.",
                )
                status = 429
            except account_services.JoinCodeInvalid:
                form.add_error(
                    "code", "No class has this code, or it has expired. Ask your teacher."
                )
            else:
                messages.success(request, f"You joined {classroom.name}.")
                return redirect("classroom:student_home")
    return page(request, "join.html", {"form": form}, status)
