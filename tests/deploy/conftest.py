from tests.support.deploy import server_database  # noqa: F401  (fixture)
