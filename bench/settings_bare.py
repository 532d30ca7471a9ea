"""Benchmark-only settings: the app's settings with our Sentry set-up switched off.

``bench/wsgi_bare.py`` then initialises plain sentry-sdk instead (configs "bare" of
``bench/overhead.py``). Our ``init_sentry`` runs in ``MonitoringConfig.ready()`` and sees no DSN
here, so it installs no client; the DSN of the environment is kept for the bare init.
"""

import dataclasses

from toolbox.settings import *  # noqa: F403
from toolbox.settings import SENTRY

BARE_SENTRY_DSN = SENTRY.dsn
BARE_TRACES_SAMPLE_RATE = SENTRY.traces_sample_rate
SENTRY = dataclasses.replace(SENTRY, dsn="")
