from tests.support.live import channel_layer  # noqa: F401  (fixtures)
from tests.support.llm import fresh_breakers, offline_only  # noqa: F401  (fixtures)
from tests.support.users import student, teacher  # noqa: F401  (fixtures)
