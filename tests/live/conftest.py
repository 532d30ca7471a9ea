from tests.live.fixtures import (  # noqa: F401  (fixtures)
    channel_layer,
    redis_channel_layer,
)
from tests.providers.support import (  # noqa: F401  (fixtures)
    admin_user,
    fresh_breakers,
    offline_only,
    student,
    teacher,
)
