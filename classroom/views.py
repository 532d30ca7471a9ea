"""The classroom's pages: thin views over the apps' services and selectors.

Who may see what: anonymous visitors are sent to the sign-in page; a page for another role
answers 403; content or a class the user may not see answers 404 (as in the API, nothing tells
whether it exists). Forms are CSRF-protected (Django's middleware); htmx requests send the token
in a header (``base.html``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Classroom, Role, User
from accounts.ratelimit import (
    LESSON_GENERATE,
    QUIZ_GENERATE,
    TERRAIN_GENERATE,
    RateLimited,
    rate_limit_consume,
)
from classroom import forms, selectors
from curriculum.terrain import TerrainParams
from jobs import selectors as job_selectors
from jobs import services as job_services
from jobs.models import JobKind
from lessons import selectors as lesson_selectors
from lessons.schemas import LessonIn
from publishing.services import content_publish
from quizzes import selectors as quiz_selectors
from quizzes import services as quiz_services
from quizzes.schemas import QuizIn
from terrain import selectors as terrain_selectors
from terrain import services as terrain_services
from terrain.schemas import TerrainGenerateIn
from toolbox.errors import NotFound

TEACHING_ROLES = (Role.TEACHER, Role.ADMIN)


def _is_teacher(user: User) -> bool:
    return user.role in TEACHING_ROLES or user.is_superuser


def _require_teacher(request: HttpRequest) -> User:
    if not _is_teacher(request.user):
        raise PermissionDenied("Teachers only")
    return request.user


def _require_student(request: HttpRequest) -> User:
    if request.user.role != Role.STUDENT:
        raise PermissionDenied("Students only")
    return request.user


def _managed_classroom(request: HttpRequest, classroom_id: int) -> Classroom:
    """A class the user teaches (or any, for admins); students 403, anything else 404."""
    user = _require_teacher(request)
    classroom = account_selectors.classroom_get(user=user, classroom_id=classroom_id)
    if classroom is None or not account_selectors.classroom_manages(user=user, classroom=classroom):
        raise Http404("Classroom not found")
    return classroom


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return render(request, f"classroom/{template}", context, status=status)


# --- signing in ---------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Django's login view with our form: the lockout backend throttles it like the API's login,
    and a locked account is told when to try again (429)."""

    template_name = "classroom/sign_in.html"
    form_class = forms.SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form: forms.SignInForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 429 if form.locked_for else 400
        if form.locked_for:
            response["Retry-After"] = str(form.locked_for)
        return response

    def form_valid(self, form: forms.SignInForm) -> HttpResponse:
        response = super().form_valid(form)
        account_services.user_mark_active(user=form.get_user())
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link on another site cannot sign a child out."""


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if _is_teacher(request.user):
        return redirect("classroom:classes")
    return redirect("classroom:student_home")


# --- students -----------------------------------------------------------------------------------


@login_required
@require_GET
def student_home(request: HttpRequest) -> HttpResponse:
    student = _require_student(request)
    return _page(
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
    student = _require_student(request)
    return _page(
        request, "_published.html", {"items": selectors.student_published(student=student)}
    )


@login_required
def join(request: HttpRequest) -> HttpResponse:
    student = _require_student(request)
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
    return _page(request, "join.html", {"form": form}, status)


# --- classes ------------------------------------------------------------------------------------


@login_required
def classes(request: HttpRequest) -> HttpResponse:
    teacher = _require_teacher(request)
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
    return _page(request, "classes.html", context, 400 if form.errors else 200)


@login_required
@require_GET
def class_detail(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _managed_classroom(request, classroom_id)
    return _page(
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
    classroom = _managed_classroom(request, classroom_id)
    account_services.classroom_join_code_rotate(classroom=classroom)
    if request.htmx:
        return _page(request, "_join_code.html", {"classroom": classroom})
    messages.success(request, "New join code issued; the old one no longer works.")
    return redirect("classroom:class_detail", classroom_id=classroom.pk)


@login_required
@require_POST
def student_remove(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom = _managed_classroom(request, classroom_id)
    if not account_services.classroom_student_remove(classroom=classroom, student_id=student_id):
        raise Http404("No such student in this class")
    if request.htmx:
        return HttpResponse("")  # the row is swapped out
    messages.success(request, "Student removed from the class.")
    return redirect("classroom:class_detail", classroom_id=classroom.pk)


@login_required
@require_GET
def gradebook(request: HttpRequest, classroom_id: int, quiz_id: int) -> HttpResponse:
    classroom = _managed_classroom(request, classroom_id)
    quiz = selectors.classroom_quiz_get(classroom=classroom, quiz_id=quiz_id)
    if quiz is None:
        raise Http404("This quiz was not published to this class")
    book = selectors.gradebook_get(classroom=classroom, quiz=quiz)
    template = "_gradebook.html" if request.GET.get("part") == "table" else "gradebook.html"
    return _page(request, template, {"book": book})


# --- generating ---------------------------------------------------------------------------------


def _validated(form, schema: type[BaseModel]) -> BaseModel | None:
    """The form's data through the API's own schema; its complaints become form errors."""
    try:
        return schema.model_validate(form.payload())
    except PydanticValidationError as exc:
        for error in exc.errors(include_url=False, include_input=False):
            name = str(error["loc"][0]) if error["loc"] else None
            form.add_error(name if name in form.fields else None, error["msg"])
        return None


GENERATION = {
    "lesson": (forms.LessonGenerateForm, LessonIn, LESSON_GENERATE, JobKind.LESSON),
    "quiz": (forms.QuizGenerateForm, QuizIn, QUIZ_GENERATE, JobKind.QUIZ),
}


@login_required
def generate(request: HttpRequest, kind: str) -> HttpResponse:
    """Lessons and quizzes are generated by a background job; its page follows it live."""
    teacher = _require_teacher(request)
    if kind not in GENERATION:
        raise Http404("Nothing to generate here")
    form_class, schema, scope, job_kind = GENERATION[kind]
    form = form_class(request.POST or None)
    request_in, status = _generation_request(request, form, schema, teacher=teacher, scope=scope)
    if request_in is not None:
        job = job_services.job_enqueue(
            owner_id=teacher.pk, kind=job_kind, params=request_in.model_dump(mode="json")
        )
        return redirect("classroom:job", job_id=job.pk)
    return _page(request, "generate.html", {"form": form, "kind": kind}, status)


def _generation_request(
    request: HttpRequest, form: Any, schema: Any, *, teacher: Any, scope: str
) -> tuple[Any, int]:
    """A generate form's POST checked as the API checks it, within the teacher's limit: the
    request to run, or None and the page's status (200 to show, 400 invalid, 429 limited)."""
    if request.method != "POST":
        return None, 200
    request_in = _validated(form, schema) if form.is_valid() else None
    if request_in is None:
        return None, 400
    try:
        rate_limit_consume(user=teacher, scope=scope)
    except RateLimited as exc:
        form.add_error(None, f"{exc.message}.")
        return None, 429
    return request_in, 200


@login_required
def generate_terrain(request: HttpRequest) -> HttpResponse:
    """Terrains take about a second: generated in the request, like the API does."""
    teacher = _require_teacher(request)
    form = forms.TerrainGenerateForm(request.POST or None)
    request_in, status = _generation_request(
        request, form, TerrainGenerateIn, teacher=teacher, scope=TERRAIN_GENERATE
    )
    if request_in is not None:
        seed = request_in.seed
        params = TerrainParams(
            **request_in.model_dump(exclude={"name", "seed"}),
            seed=seed if seed is not None else terrain_services.terrain_random_seed(),
        )
        terrain = terrain_services.terrain_generate(
            owner_id=teacher.pk, params=params, name=request_in.name
        )
        return redirect("classroom:terrain", terrain_id=terrain.pk)
    return _page(request, "generate.html", {"form": form, "kind": "terrain"}, status)


@login_required
@require_GET
def job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    teacher = _require_teacher(request)
    found = job_selectors.job_get(user=teacher, job_id=job_id)
    if found is None:
        raise Http404("Job not found")
    content_url = None
    if found.content_id is not None:
        name = "classroom:lesson" if found.kind == JobKind.LESSON else "classroom:quiz"
        content_url = reverse(name, args=[found.content_id])
    return _page(request, "job.html", {"job": found, "content_url": content_url})


# --- content ------------------------------------------------------------------------------------


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
    return _page(request, "lesson.html", context)


@login_required
@require_GET
def quiz(request: HttpRequest, quiz_id: int) -> HttpResponse:
    user: User = request.user
    found = quiz_selectors.quiz_get(user=user, quiz_id=quiz_id)
    if found is None:
        raise Http404("Quiz not found")
    if quiz_selectors.quiz_answers_visible(user=user):
        return _page(
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
        return _page(request, "quiz_result.html", {"quiz": found, "attempt": attempt, "rows": rows})
    taking = selectors.quiz_for_taking(quiz=found)
    return _page(request, "quiz_take.html", {"quiz": taking})


@login_required
@require_POST
def quiz_submit(request: HttpRequest, quiz_id: int) -> HttpResponse:
    student = _require_student(request)
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
    user = _require_teacher(request)
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
    user = _require_teacher(request)
    found = terrain_selectors.terrain_get(user=user, terrain_id=terrain_id)
    if found is None:
        raise Http404("Terrain not found")
    return _page(request, "terrain.html", {"terrain": found})
