from __future__ import annotations

import pytest

from accounts.models import Role
from roblox import services as roblox_services
from roblox.models import ScriptKind
from tests.accounts.factories import make_user
from tests.robloxcloud.fake_roblox import ALL_SCOPES, FakeRoblox

# Shaped like a real Open Cloud key (long, URL-safe base64), and unique to these tests.
API_KEY = "RBXPLANTEDkey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_-wxyz"
UNIVERSE_ID = 4_100_000_001
PLACE_ID = 4_200_000_002
CREATOR_USER_ID = 7_700_000_003
SCRIPT_SOURCE = 'print("hello from ToolboxAI")\nprint("second line")\nreturn 42\n'


@pytest.fixture
def fake_roblox(settings):
    fake = FakeRoblox(keys={API_KEY: set(ALL_SCOPES)}).start()
    settings.ROBLOX_OPEN_CLOUD_URL = fake.url
    # Polls and backoff of a loaded test machine: fast, with room to spare.
    settings.ROBLOX_POLL_INTERVAL_SECONDS = 0.01
    settings.ROBLOX_PUBLISH_TIMEOUT_SECONDS = 20
    yield fake
    fake.stop()
    assert fake.violations == [], "requests or answers off Roblox's published shapes"


@pytest.fixture
def teacher(db):
    return make_user(Role.TEACHER)


@pytest.fixture
def student(db):
    return make_user(Role.STUDENT)


@pytest.fixture
def script(teacher):
    return roblox_services.script_create(
        owner_id=teacher.pk, name="Greeter", kind=ScriptKind.CUSTOM, source=SCRIPT_SOURCE
    )


CONNECTION = {
    "api_key": API_KEY,
    "universe_id": UNIVERSE_ID,
    "place_id": PLACE_ID,
    "creator_user_id": CREATOR_USER_ID,
}
