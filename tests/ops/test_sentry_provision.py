"""manage.py sentry_provision against a recording Sentry API whose bodies are schema-checked."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from monitoring import provisioning
from tests.ops.conftest import TOKEN, manage


def provision(*args: str) -> str:
    out = io.StringIO()
    call_command("sentry_provision", *args, stdout=out)
    return out.getvalue()


def test_sentry_provision__first_run_creates_everything(sentry_api, sentry_api_env):
    output = provision()

    assert sentry_api.rejected == []  # every body matched Sentry's published schema
    writes = [(w.method, w.path) for w in sentry_api.writes]
    assert writes.count(("POST", "/api/0/organizations/toolboxai/alert-rules/")) == 3
    assert ("POST", "/api/0/projects/toolboxai/toolbox-web/rules/") in writes
    assert ("POST", "/api/0/organizations/toolboxai/dashboards/") in writes
    assert ("PUT", "/api/0/projects/toolboxai/toolbox-web/") in writes
    assert all(w.status in (200, 201) for w in sentry_api.writes)

    rules = {r["name"]: r for r in sentry_api.alert_rules.values()}
    error_rate = rules[provisioning.ERROR_RATE_RULE]
    assert (error_rate["aggregate"], error_rate["timeWindow"]) == ("failure_rate()", 5.0)
    assert error_rate["triggers"][0]["alertThreshold"] == 0.05
    p95 = rules[provisioning.P95_RULE]
    assert (p95["aggregate"], p95["triggers"][0]["alertThreshold"]) == (
        "p95(transaction.duration)",
        2000.0,
    )
    assert rules[provisioning.VOLUME_RULE]["comparisonDelta"] == 7 * 24 * 60
    (issue_rule,) = sentry_api.issue_rules.values()
    assert issue_rule["conditions"] == [
        {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
    ]
    (board,) = sentry_api.dashboards.values()
    assert [w["queries"][0]["columns"] for w in board["widgets"]] == [
        ["component"],
        ["error_category"],
        ["subject"],
        ["grade"],
        ["user.role"],
    ]
    assert board["projects"] == [4242]
    rules_text = sentry_api.project["fingerprintingRules"]
    assert (
        'tags.error_category:"external_api" -> {{ tags.component }}, external_api, {{ error.type }}'
        in rules_text
    )
    assert "5 created, 1 updated, 0 unchanged" in output


def test_sentry_provision__second_run_writes_nothing(sentry_api, sentry_api_env):
    provision()
    sentry_api.clear()

    output = provision()

    assert sentry_api.writes == []
    assert sentry_api.requests  # it did look
    assert "0 created, 0 updated, 6 unchanged" in output


def test_sentry_provision__a_changed_threshold_updates_that_rule_only(sentry_api, sentry_api_env):
    provision()
    rule = next(r for r in sentry_api.alert_rules.values() if r["name"] == provisioning.P95_RULE)
    # Someone raised it in Sentry's UI and added a notification we must keep.
    rule["triggers"][0]["alertThreshold"] = 5000.0
    pager = {"type": "email", "targetType": "team", "targetIdentifier": "7"}
    rule["triggers"][0]["actions"] = [pager]
    sentry_api.clear()

    output = provision()

    assert [(w.method, w.path) for w in sentry_api.writes] == [
        ("PUT", f"/api/0/organizations/toolboxai/alert-rules/{rule['id']}/")
    ]
    assert sentry_api.rejected == []
    updated = sentry_api.alert_rules[rule["id"]]
    assert updated["triggers"][0]["alertThreshold"] == 2000.0
    assert updated["triggers"][0]["actions"] == [pager]
    assert f"updated: metric alert '{provisioning.P95_RULE}'" in output


def test_sentry_provision__operators_fingerprint_rules_are_kept(sentry_api, sentry_api_env):
    own = 'error.type:"ValueError" -> value-errors'
    sentry_api.project["fingerprintingRules"] = own
    provision()
    provision()

    text = sentry_api.project["fingerprintingRules"]
    assert text.startswith(own)
    assert text.count(provisioning.FINGERPRINT_BEGIN) == 1


def test_sentry_provision__dry_run_prints_requests_and_writes_nothing(sentry_api, sentry_api_env):
    output = provision("--dry-run")

    assert sentry_api.writes == []
    assert f"POST {sentry_api.url}api/0/organizations/toolboxai/alert-rules/" in output
    assert '"aggregate": "failure_rate()"' in output
    assert "Authorization: Bearer [redacted]" in output
    assert TOKEN not in output
    assert "(dry run: nothing sent)" in output


def test_sentry_provision__token_refused_gives_one_line_and_fails(sentry_api, sentry_api_env):
    sentry_api.mode = "401"

    result = manage("sentry_provision", env=sentry_api_env)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Sentry refused the auth token (401)" in lines[0]
    assert "SENTRY_AUTH_TOKEN" in lines[0]
    assert TOKEN not in result.stdout + result.stderr
    assert sentry_api.writes == []


def test_sentry_provision__token_never_in_output(sentry_api, sentry_api_env):
    result = manage("sentry_provision", env=sentry_api_env)

    assert result.returncode == 0, result.stderr
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SENTRY_AUTH_TOKEN", "", "SENTRY_AUTH_TOKEN=unset is invalid"),
        ("SENTRY_ORG", "Not A Slug", "SENTRY_ORG='Not A Slug' is invalid"),
        ("SENTRY_URL", "ftp://sentry.example", "SENTRY_URL='ftp://sentry.example' is invalid"),
    ],
)
def test_sentry_provision__bad_settings_stop_with_one_line(
    sentry_api_env, variable, value, message
):
    env = {**sentry_api_env, variable: value}
    if not value:
        del env[variable]

    result = manage("sentry_provision", env=env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        next(line for line in result.stderr.splitlines() if message in line)
    ]
    assert result.stderr.startswith("toolbox: configuration error: ")


def test_sentry_provision__unreachable_sentry_is_one_line(sentry_api, sentry_api_env, monkeypatch):
    sentry_api.stop()
    monkeypatch.setenv("SENTRY_URL", sentry_api.url)

    with pytest.raises(CommandError, match="cannot reach"):
        provision()
