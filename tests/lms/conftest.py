from tests.providers.support import (  # noqa: F401  (fixtures)
    admin_user,
    fresh_breakers,
    llm,
    offline_only,
    student,
    teacher,
)
