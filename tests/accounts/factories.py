from __future__ import annotations

import itertools

from accounts.models import Role, User
from accounts.services import user_create

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_user(role: str = Role.TEACHER, *, username: str | None = None, **extra) -> User:
    return user_create(
        username=username or f"{role}-{next(_counter)}",
        password=PASSWORD,
        role=role,
        email=extra.pop("email", ""),
    )
