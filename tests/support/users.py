"""One user per role, as fixtures (test packages list the ones they use in their conftest)."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from tests.accounts.factories import make_user


@pytest.fixture
def teacher() -> User:
    return make_user(Role.TEACHER)


@pytest.fixture
def student() -> User:
    return make_user(Role.STUDENT)


@pytest.fixture
def admin_user() -> User:
    return make_user(Role.ADMIN)
