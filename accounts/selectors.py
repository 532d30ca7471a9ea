"""Account reads."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from accounts.models import Classroom, Role, User


def classroom_list(*, user: User) -> QuerySet[Classroom]:
    """Classrooms a user may see: all for admins, their own for teachers, theirs for students."""
    classrooms = Classroom.objects.select_related("teacher").prefetch_related("students")
    if user.role == Role.ADMIN or user.is_superuser:
        return classrooms
    if user.role == Role.TEACHER:
        return classrooms.filter(teacher=user)
    return classrooms.filter(students=user)


def published_given_to(model: type[Model], *, user: User) -> QuerySet:
    """Ids of ``model`` rows published to a classroom ``user`` is a student of."""
    through = model.classrooms.through
    return through.objects.filter(classroom__students=user).values(f"{model._meta.model_name}_id")


def published_visible(queryset: QuerySet, *, user: User) -> QuerySet:
    """Content published to classrooms (a ``classrooms`` M2M and an ``owner``): admins see all;
    teachers their own and what is published to classes they teach; students what is published
    to a class they are in."""
    if user.role == Role.ADMIN or user.is_superuser:
        return queryset
    model = queryset.model
    if user.role == Role.TEACHER:
        taught = model.classrooms.through.objects.filter(classroom__teacher=user)
        taught_ids = taught.values(f"{model._meta.model_name}_id")
        return queryset.filter(Q(owner=user) | Q(pk__in=taught_ids))
    return queryset.filter(pk__in=published_given_to(model, user=user))
