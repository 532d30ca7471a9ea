"""Account reads."""

from __future__ import annotations

import uuid

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import Classroom, Role, TokenFamily, User
from toolbox.errors import Forbidden, NotFound


def classroom_list(*, user: User) -> QuerySet[Classroom]:
    """Classrooms a user may see: all for admins, their own for teachers, theirs for students."""
    classrooms = Classroom.objects.select_related("teacher").prefetch_related("students")
    if user.role == Role.ADMIN or user.is_superuser:
        return classrooms
    if user.role == Role.TEACHER:
        return classrooms.filter(teacher=user)
    return classrooms.filter(students=user)


def classroom_manages(*, user: User, classroom: Classroom) -> bool:
    """Whether ``user`` may see the join code and roster and manage them: the class's teacher
    or an admin."""
    return user.role == Role.ADMIN or user.is_superuser or classroom.teacher_id == user.pk


def classroom_get(*, user: User, classroom_id: int) -> Classroom | None:
    """A classroom ``user`` may see (see ``classroom_list``), or None: a class someone else
    teaches reads as missing."""
    return classroom_list(user=user).filter(pk=classroom_id).first()


def classroom_to_publish_to(
    *, user: User, owner_id: int, classroom_id: int, noun: str
) -> Classroom:
    """The classroom ``user`` may publish a ``noun`` owned by ``owner_id`` to. Raises
    ``Forbidden`` (not the owner nor an admin; a class taught by someone else) or
    ``NotFound``."""
    if not (user.role == Role.ADMIN or user.is_superuser or owner_id == user.pk):
        raise Forbidden(f"Only the {noun}'s owner or an admin can publish it")
    classroom = classroom_list(user=user).filter(pk=classroom_id).first()
    if classroom is None:
        if Classroom.objects.filter(pk=classroom_id).exists():
            raise Forbidden("You can only publish to a classroom you teach")
        raise NotFound(f"Classroom {classroom_id} not found")
    return classroom


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


def token_session_user(*, claims: dict) -> User | None:
    """The active user whose login session (token family) issued a token with these claims, or
    None when the session has ended: logged out, revoked after a refresh token was reused,
    expired, the user deactivated, or the password changed since the login.

    One indexed query (the session by primary key, joined to its user): every authenticated
    request and every socket session re-check pays it.
    """
    try:
        family_id = uuid.UUID(claims["fam"])
    except (KeyError, TypeError, ValueError):
        return None
    family = (
        TokenFamily.objects.select_related("user")
        .filter(
            pk=family_id,
            user_id=claims["sub"],
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )
    if family is None:
        return None
    user = family.user
    if not constant_time_compare(family.password_fingerprint, user.get_session_auth_hash()):
        return None
    return user


def user_known_names(*, user: User) -> set[str]:
    """Names that may appear in text ``user`` types or their browser sends: their own username,
    first and last name, and those of the people in their classes (classmates and teachers for a
    student, pupils for a teacher). Scrubbing redacts them (monitoring.scrubbing.personal)."""
    in_classes = Q(classrooms__teacher=user) | Q(classrooms__students=user)
    in_classes |= Q(taught_classrooms__students=user)
    people = User.objects.filter(Q(pk=user.pk) | in_classes).distinct()
    names: set[str] = set()
    for username, first, last in people.values_list("username", "first_name", "last_name")[:1000]:
        names.update(value for value in (username, first, last) if value)
    return names
