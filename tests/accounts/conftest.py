from tests.support.llm import fresh_breakers, offline_only  # noqa: F401  (fixtures)
from tests.support.users import teacher  # noqa: F401  (fixture)
