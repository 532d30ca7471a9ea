"""Fixtures for fault tests: the database their app servers share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.support import database_with_teacher, postgres_available, postgres_settings
from tests.support.llm import fresh_breakers, llm  # noqa: F401  (fixtures)
from tests.support.servers import ServerDatabase
from tests.support.users import teacher  # noqa: F401  (fixture)


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory) -> Iterator[ServerDatabase]:
    """A migrated PostgreSQL database with a teacher (``TEACHER``), for app servers started by
    the fault tests (shared by them: creating and migrating one takes seconds)."""
    if not postgres_available():
        pytest.skip("no PostgreSQL to take down")
    database = database_with_teacher(tmp_path_factory.mktemp("faults-db"), postgres_settings())
    yield database
    database.drop()


@pytest.fixture(scope="session")
def server_database(request, tmp_path_factory) -> Iterator[ServerDatabase]:
    """``postgres_database`` where there is a PostgreSQL, else a SQLite file with a teacher."""
    if postgres_available():
        yield request.getfixturevalue("postgres_database")
    else:
        yield database_with_teacher(tmp_path_factory.mktemp("faults-sqlite"), {"ENGINE": "sqlite"})
