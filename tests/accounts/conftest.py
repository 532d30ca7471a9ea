from tests.support.deploy import server_database  # noqa: F401  (fixture)
from tests.support.llm import fresh_breakers, offline_only  # noqa: F401  (fixtures)
from tests.support.users import teacher  # noqa: F401  (fixture)
