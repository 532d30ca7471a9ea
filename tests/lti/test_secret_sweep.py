"""LTI's secrets never reach Sentry or the log: our private key, the client assertions we sign,
the platform's access tokens and id_tokens, and what an LMS says about a child.

A grade post fails (500) so that an ``external_api`` event, with the LMS's host and status,
is sent while all of those are in play; then the retry succeeds. Everything that reached the
loopback Sentry receiver and the JSON log file is searched.
"""

from __future__ import annotations

import pytest

from lti import tasks
from lti.models import GradePost, GradePostStatus, ToolKey
from lti.services import tool_key_ensure
from tests.lti.test_launch import _student_takes
from tests.monitoring.conftest import LogFile
from tests.monitoring.test_secret_sweep import leaks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log_file(settings) -> LogFile:
    from pathlib import Path

    return LogFile(Path(settings.LOG_FILE))


def test_secret_sweep__lti_keys_assertions_and_tokens_never_leave(
    sentry_receiver, lms, browser, quiz, log_file
):
    lms.fail_scores = 1

    post = _student_takes(browser, lms, quiz)
    assert post.status == GradePostStatus.FAILED
    assert tasks.grade_post_send(post.pk) == GradePostStatus.SENT

    event = sentry_receiver.wait_for(
        lambda r: [e for e in r.events if (e.get("tags") or {}).get("service") == "lms"]
    )[0]
    tags = event["tags"]
    assert tags["error_category"] == "external_api" and tags["component"] == "lti"
    # The scrubber masks IP addresses as personal data; an LMS's host name (the real case) stays.
    assert tags["lms_host"].endswith(f":{lms.port}") and tags["http_status"] == "500"
    assert tags["service"] == "lms"

    private_pem = tool_key_ensure().private_pem
    planted = {
        # Any line of the private key's body, and the encrypted form stored at rest.
        **{f"key_line_{i}": line for i, line in enumerate(private_pem.splitlines()[1:-1])},
        "key_at_rest": ToolKey.objects.get().private_pem_encrypted,
        **{f"assertion_{i}": value for i, value in enumerate(lms.assertions)},
        **{f"access_token_{i}": value for i, value in enumerate(lms.access_tokens)},
        **{f"id_token_{i}": value for i, value in enumerate(lms.id_tokens)},
        "child_name": "PLANTEDNAME",
        "child_email": "ada.planted@school.example",
    }
    assert len(lms.assertions) == 2 and lms.access_tokens and lms.id_tokens  # all in play
    assert GradePost.objects.get().status == GradePostStatus.SENT
    assert leaks(sentry_receiver.raw_bytes, planted) == []
    assert leaks(log_file.text(), planted) == []
