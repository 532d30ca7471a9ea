from tests.support.live import (  # noqa: F401  (fixtures)
    channel_layer,
    redis_channel_layer,
)
from tests.support.llm import fresh_breakers, offline_only  # noqa: F401  (fixtures)
from tests.support.users import admin_user, student, teacher  # noqa: F401  (fixtures)
