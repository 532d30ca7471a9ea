import hashlib

import pytest

from accounts.models import Role
from roblox import selectors, services
from roblox.models import RobloxScript, ScriptKind
from tests.accounts.factories import make_user
from tests.support.luau import BROKEN_LUAU, VALID_LUAU

pytestmark = pytest.mark.django_db


def create(owner, name="Script", source=VALID_LUAU, kind=ScriptKind.CUSTOM):
    return services.script_create(owner_id=owner.pk, name=name, kind=kind, source=source)


def test_script_create__stores_checksum_and_compile_result():
    teacher = make_user(Role.TEACHER)
    source = "print('héllo ✓')\n"
    script = create(teacher, source=source)
    assert script.checksum == hashlib.sha256(source.encode("utf-8")).hexdigest()
    assert script.compiled_ok is True and script.diagnostics == []
    assert script.delivered_at is None


def test_script_create__rejects_non_compiling_source_with_diagnostics():
    with pytest.raises(services.ScriptRejected) as caught:
        create(make_user(Role.TEACHER), source=BROKEN_LUAU)
    assert caught.value.result.ok is False
    assert caught.value.result.diagnostics
    assert str(caught.value).startswith("Luau source does not compile at line ")
    assert caught.value.error_category == "roblox_plugin"
    assert RobloxScript.objects.count() == 0


def test_script_list_pending__bounded_with_has_more():
    teacher = make_user(Role.TEACHER)
    ids = [create(teacher, name=f"S{i}").pk for i in range(3)]
    page = selectors.script_list_pending(owner_id=teacher.pk, limit=2)
    assert [s.pk for s in page.scripts] == ids[:2] and page.has_more is True
    page = selectors.script_list_pending(owner_id=teacher.pk, after=ids[1], limit=2)
    assert [s.pk for s in page.scripts] == ids[2:] and page.has_more is False


def test_script_acknowledge__keeps_the_first_delivery_time():
    teacher = make_user(Role.TEACHER)
    script = create(teacher)
    first = services.script_acknowledge(owner_id=teacher.pk, script_id=script.pk)
    again = services.script_acknowledge(owner_id=teacher.pk, script_id=script.pk)
    assert first.delivered_at is not None
    assert again.delivered_at == first.delivered_at


def test_script_acknowledge__not_the_owner_is_none_and_changes_nothing():
    script = create(make_user(Role.TEACHER))
    assert services.script_acknowledge(owner_id=make_user().pk, script_id=script.pk) is None
    script.refresh_from_db()
    assert script.delivered_at is None
