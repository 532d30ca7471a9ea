"""monitoring.scrubbing speed: a large event is scrubbed quickly, adversarial text in linear time.

A coarse guard against pathological regexes at the level of a whole event and of ``scrub_text``;
test_scrubbing_redos.py times each compiled pattern on its own.
"""

from __future__ import annotations

import json

import pytest

from monitoring.scrubbing import before_send, scrub_text
from tests.support.cost import cpu_seconds
from tests.support.scrubbing import PERSONAL, SECRETS, TEXT, error_event, leaked, secret_dict

# --- speed ----------------------------------------------------------------------------------------


def test_speed__a_large_event_is_scrubbed_quickly():
    event = error_event()
    event["extra"]["blob"] = [TEXT] * 100 + [json.dumps(secret_dict())] * 200
    event["request"]["data"] = json.dumps([secret_dict()] * 200)
    assert len(json.dumps(event)) > 200_000
    result, cpu = cpu_seconds(
        lambda event: before_send(event, {}, pii=False), event, copy_args=True
    )
    assert leaked(result, SECRETS | PERSONAL) == []
    assert cpu < 1.0  # ~20-40 ms in practice; this guards against pathological regexes


@pytest.mark.parametrize(
    "text",
    [
        "password" * 25_000,
        "a" * 100_000 + "@",
        "1 " * 50_000 + "x",
        "aaaa:" * 20_000,
        "{'password': [" * 10_000,
        "x=" * 50_000,
    ],
)
def test_speed__adversarial_text_stays_linear(text):
    _, cpu = cpu_seconds(lambda: scrub_text(text, pii=False))
    assert cpu < 1.0
