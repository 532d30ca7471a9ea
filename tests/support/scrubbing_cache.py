"""An autouse fixture for tests that scrub bare secrets: they look clean to the patterns, so
they would stay in the clean-string cache of ``monitoring.scrubbing.text`` after the test; this
restores the cache. Import it into the test module (as the known-secret tests do)."""

from __future__ import annotations

import pytest

from monitoring.scrubbing import text as scrubbing_text


@pytest.fixture(autouse=True)
def _keep_the_clean_cache():
    """Bare secrets look clean to the patterns: don't leave them in the cache for other tests."""
    saved = [set(clean) for clean in scrubbing_text._CLEAN]
    yield
    for clean, before in zip(scrubbing_text._CLEAN, saved, strict=True):
        clean.clear()
        clean.update(before)
