from tests.deploy.conftest import server_database  # noqa: F401  (fixture)
