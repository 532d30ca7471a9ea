from tests.support.llm import fresh_breakers, llm, offline_only  # noqa: F401  (fixtures)
from tests.support.users import admin_user, student, teacher  # noqa: F401  (fixtures)
