"""What deployment-safety tests share: an operator's secret key, and a migrated database with an
admin for app servers in subprocesses."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings

from tests.support.servers import ServerDatabase, run_manage

ADMIN, ADMIN_PASSWORD = "deploy-admin", "deploy-admin-password-Q7!x"


def strong_secret_key() -> str:
    """What an operator should generate: random, long and varied (Django's criteria)."""
    return secrets.token_urlsafe(50)


@pytest.fixture(scope="module")
def server_database(tmp_path_factory) -> Iterator[ServerDatabase]:
    """A migrated database with one admin, shared by the servers of a test module."""
    database = ServerDatabase(
        tmp_path_factory.mktemp("deploy-db"), django_settings.DATABASES["default"]
    )
    run_manage(database.url, "create_user", ADMIN, "--role", "admin", "--password", ADMIN_PASSWORD)
    yield database
    database.drop()
