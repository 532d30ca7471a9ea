from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.models import Role
from lti import http as lti_http
from lti.models import Platform as PlatformRow
from quizzes.services import quiz_generate
from tests.accounts.factories import make_user
from tests.lti.simulator import Browser, Platform


@pytest.fixture
def lms(live_server) -> Iterator[Platform]:
    """The simulated LMS, registered in our admin (as an admin would)."""
    lti_http.breakers_reset()
    platform = Platform(tool_url=live_server.url).start()
    platform.row = PlatformRow.objects.create(**platform.registration())
    yield platform
    platform.stop()
    lti_http.breakers_reset()


@pytest.fixture
def browser(live_server) -> Iterator[Browser]:
    agent = Browser(live_server.url)
    yield agent
    agent.close()


@pytest.fixture
def teacher():
    return make_user(Role.TEACHER)


@pytest.fixture
def quiz(teacher):
    return quiz_generate(
        owner_id=teacher.pk,
        subject="mathematics",
        grade_level=4,
        difficulty="easy",
        question_count=3,
        seed=7,
    )
