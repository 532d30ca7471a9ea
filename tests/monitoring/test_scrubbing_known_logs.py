"""monitoring.scrubbing.known: a secret found under a telling key is redacted from JSON log lines.

A bare secret in prose (``raise Failure(f"... ({pwd})")``) has no pattern and no key nearby; the
same value sits under ``password`` in the request body, under ``pwd`` in the frame's locals. We
check it disappears from the JSON log lines (message and traceback), while file names and code
survive and the list of known secrets is not itself logged.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from monitoring.logs import KNOWN_SECRETS, logging_config
from monitoring.scrubbing import FILTERED
from tests.support.scrubbing_cache import _keep_the_clean_cache  # noqa: F401  (fixtures)
from tests.support.scrubbing_known import BARE, Payload, failing_view

# --- JSON log lines -------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """A logger writing through the project's JSON formatter; returns (logger, parsed lines)."""
    spec = dict(logging_config(level="INFO", log_file=None)["formatters"]["json"])
    spec.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(**spec))
    logger = logging.getLogger("tests.scrubbing.known")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.propagate = True


def test_log__bare_password_from_frame_locals_is_redacted_from_the_traceback(json_log):
    logger, lines = json_log
    try:
        failing_view(Payload("ada_l0velace", BARE))
    except RuntimeError as error:
        logger.exception("login failed: %s", error)
    (line,) = lines()
    assert BARE not in json.dumps(line)
    assert line["event"] == "login failed: login failed for lesson Fractions 101 ([Filtered])"
    assert line["exception"].endswith(
        "RuntimeError: login failed for lesson Fractions 101 ([Filtered])"
    )
    assert __file__ in line["exception"]  # file names and code survive
    assert "in failing_view" in line["exception"]
    assert KNOWN_SECRETS not in line


def test_log__secret_in_a_field_is_redacted_from_the_message(json_log):
    logger, lines = json_log
    logger.info("welcome back %s", BARE, extra={"password": BARE, "lesson": "Fractions 101"})
    logger.info("nothing to see", extra={"lesson": "Fractions 101"})
    first, second = lines()
    assert first["event"] == "welcome back [Filtered]"
    assert (first["password"], first["lesson"]) == (FILTERED, "Fractions 101")
    assert KNOWN_SECRETS not in first
    assert second["event"] == "nothing to see"
