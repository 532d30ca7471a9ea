from tests.live.fixtures import channel_layer  # noqa: F401  (fixtures)
from tests.providers.support import (  # noqa: F401  (fixtures)
    fresh_breakers,
    offline_only,
    student,
    teacher,
)
