"""The teacher's Roblox page in the classroom, against the loopback Roblox."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.accounts.factories import make_user
from tests.robloxcloud.conftest import API_KEY, CONNECTION

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/classroom/roblox/"


def test_roblox_page__teacher_connects_and_sees_only_the_masked_key(client, teacher):
    client.force_login(teacher)
    response = client.post(PAGE, CONNECTION, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Roblox connection saved." in html
    assert "****wxyz" in html
    assert API_KEY not in html
    assert API_KEY[:12] not in html


def test_roblox_page__publishes_a_script_and_shows_the_outcome(
    client, teacher, script, fake_roblox
):
    client.force_login(teacher)
    client.post(PAGE, CONNECTION)
    response = client.post(
        "/classroom/roblox/publish/", {"script_id": script.pk, "target": "place"}, follow=True
    )
    html = response.content.decode()
    assert "was published to Roblox" in html
    assert "hello from ToolboxAI" in html  # the task's logs
    assert len(fake_roblox.calls("luau.create_task")) == 1


def test_roblox_page__a_failure_is_shown_with_what_to_do(client, teacher, script, fake_roblox):
    client.force_login(teacher)
    client.post(PAGE, CONNECTION)
    fake_roblox.keys.clear()
    response = client.post(
        "/classroom/roblox/publish/", {"script_id": script.pk, "target": "asset"}, follow=True
    )
    html = response.content.decode()
    assert "rejected the API key (401)" in html
    assert API_KEY not in html


def test_roblox_page__students_are_refused(client):
    student = make_user(Role.STUDENT)
    client.force_login(student)
    assert client.get(PAGE).status_code == 403
    assert client.post("/classroom/roblox/publish/", {"script_id": 1}).status_code == 403


def test_roblox_page__another_teachers_script_is_not_found(client, teacher, script, fake_roblox):
    other = make_user(Role.TEACHER)
    client.force_login(other)
    client.post(PAGE, CONNECTION)
    response = client.post(
        "/classroom/roblox/publish/", {"script_id": script.pk, "target": "asset"}
    )
    assert response.status_code == 404
    assert fake_roblox.requests == []


def test_teacher_nav__links_to_the_roblox_page(client, teacher):
    client.force_login(teacher)
    assert 'href="/classroom/roblox/"' in client.get(PAGE).content.decode()
