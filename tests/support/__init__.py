"""Helpers shared by the test packages: import them from here, never from another app's tests or
from a ``conftest.py``.

- ``api``: the Django test client as one user, bearer headers, logging in over HTTP, classrooms.
- ``users``: the ``teacher`` / ``student`` / ``admin_user`` fixtures.
- ``llm``: a fake OpenAI server configured as the app's LLM, breakers reset, planted keys.
- ``fake_openai``: that fake server itself.
- ``envelopes``: reading spans, transactions, breadcrumbs and errors out of what Sentry received.
- ``sentry_receiver``: a real Sentry ingestion endpoint on loopback (also used by ``bench/``).
- ``relay_check``: Sentry's own ingestion rules, to check scrubbed events would be accepted.
- ``scrubbing``: planted secrets and SDK-shaped events for the scrubbing tests.
- ``servers``: the app under gunicorn in a subprocess, its own database, ``manage.py`` runs.
- ``live`` / ``live_servers``: socket communicators, channel layers, ASGI and Celery processes.
- ``deploy``: an operator's secret key and a migrated database with an admin.
- ``luau``: a valid and a broken Luau program.
- ``ratelimit``: the ``rate_limit`` fixture (a pytest plugin of the root conftest).
"""
