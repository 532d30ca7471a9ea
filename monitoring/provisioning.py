"""Sentry alerts, dashboard and grouping rules as code (``manage.py sentry_provision``).

What the spec recommends, kept in Sentry by name: each object is looked up by its name (title),
created when missing, updated when a field we manage differs, left alone when equal, so a second
run makes no writes. Fields we do not manage (ids, owners, notification actions added in
Sentry's UI, rules outside our block of fingerprinting rules) are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from monitoring.errors import CATEGORIES
from monitoring.sentry_api import SentryApi

PREFIX = "ToolboxAI: "
ERROR_RATE_RULE = PREFIX + "error rate over 5% in 5 minutes"
P95_RULE = PREFIX + "p95 response time over 2 s"
VOLUME_RULE = PREFIX + "error volume anomaly (2x last week)"
NEW_ISSUE_RULE = PREFIX + "first occurrence of a new issue"
DASHBOARD_TITLE = "ToolboxAI: education"

ERROR_RATE_THRESHOLD = 0.05  # failure_rate() is a ratio
P95_THRESHOLD_MS = 2000
# Percent change against the same hour a week earlier: +100% is twice the usual volume. (An
# anomaly-detection rule needs fields the published API schema does not have.)
VOLUME_INCREASE_PERCENT = 100
VOLUME_COMPARISON_MINUTES = 7 * 24 * 60

# The educational tags events carry (monitoring/errors.py, decorators.py, middleware.py).
DASHBOARD_TAGS = (
    ("component", "Errors by component"),
    ("error_category", "Errors by category"),
    ("subject", "Errors by subject"),
    ("grade", "Errors by grade"),
    ("user.role", "Errors by role"),
)

FINGERPRINT_BEGIN = "# BEGIN toolbox (managed by manage.py sentry_provision; edits are replaced)"
FINGERPRINT_END = "# END toolbox"


def metric_alert_rules(*, project: str) -> list[dict[str, Any]]:
    def rule(name: str, **fields: Any) -> dict[str, Any]:
        threshold = fields.pop("threshold")
        return {
            "name": name,
            "projects": [project],
            "query": "",
            "thresholdType": 0,  # above
            "triggers": [{"label": "critical", "alertThreshold": threshold, "actions": []}],
            **fields,
        }

    return [
        rule(
            ERROR_RATE_RULE,
            aggregate="failure_rate()",
            dataset="transactions",
            eventTypes=["transaction"],
            timeWindow=5,
            threshold=ERROR_RATE_THRESHOLD,
        ),
        rule(
            P95_RULE,
            aggregate="p95(transaction.duration)",
            dataset="transactions",
            eventTypes=["transaction"],
            timeWindow=5,
            threshold=P95_THRESHOLD_MS,
        ),
        rule(
            VOLUME_RULE,
            aggregate="count()",
            dataset="events",
            eventTypes=["error", "default"],
            timeWindow=60,
            comparisonDelta=VOLUME_COMPARISON_MINUTES,
            threshold=VOLUME_INCREASE_PERCENT,
        ),
    ]


def issue_alert_rules() -> list[dict[str, Any]]:
    return [
        {
            "name": NEW_ISSUE_RULE,
            "actionMatch": "any",
            "filterMatch": "all",
            "frequency": 30,
            "conditions": [
                {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
            ],
            "filters": [],
            # The issue's owners, else every active member: no team or user id needed.
            "actions": [
                {
                    "id": "sentry.mail.actions.NotifyEmailAction",
                    "targetType": "IssueOwners",
                    "fallthroughType": "ActiveMembers",
                }
            ],
        }
    ]


def dashboard(*, project_id: int) -> dict[str, Any]:
    widgets = [
        {
            "title": title,
            "display_type": "top_n",
            "widget_type": "error-events",
            "interval": "1h",
            "limit": 5,
            "queries": [
                {
                    "name": "",
                    "fields": [tag, "count()"],
                    "aggregates": ["count()"],
                    "columns": [tag],
                    "conditions": f"has:{tag}",
                    "orderby": "-count()",
                }
            ],
            "layout": {"x": (index % 3) * 2, "y": (index // 3) * 2, "w": 2, "h": 2, "minH": 2},
        }
        for index, (tag, title) in enumerate(DASHBOARD_TAGS)
    ]
    return {"title": DASHBOARD_TITLE, "projects": [project_id], "period": "7d", "widgets": widgets}


def fingerprinting_block() -> str:
    """One issue per component and error category (and exception type), whatever the message."""
    lines = [FINGERPRINT_BEGIN]
    lines += [
        f'tags.error_category:"{category}" -> {{{{ tags.component }}}}, {category}, '
        "{{ error.type }}"
        for category in CATEGORIES
    ]
    lines.append(FINGERPRINT_END)
    return "\n".join(lines)


def merge_fingerprinting(existing: str, block: str) -> str:
    """``existing`` rules with our block replaced (or appended); other rules kept as they are."""
    lines = (existing or "").splitlines()
    if FINGERPRINT_BEGIN in lines and FINGERPRINT_END in lines[lines.index(FINGERPRINT_BEGIN) :]:
        start = lines.index(FINGERPRINT_BEGIN)
        end = lines.index(FINGERPRINT_END, start)
        lines[start : end + 1] = block.splitlines()
        return "\n".join(lines)
    kept = "\n".join(lines).rstrip()
    return f"{kept}\n\n{block}" if kept else block


def matches(desired: Any, actual: Any) -> bool:
    """Whether ``actual`` (what Sentry returns, with ids and defaults) has every value we set."""
    if isinstance(desired, dict):
        return isinstance(actual, dict) and all(
            key in actual and matches(value, actual[key]) for key, value in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(actual, list)
            and len(desired) == len(actual)
            and all(matches(d, a) for d, a in zip(desired, actual, strict=True))
        )
    if isinstance(desired, (int, float)) and not isinstance(desired, bool):
        return isinstance(actual, (int, float)) and float(desired) == float(actual)
    return desired == actual


def _without_trigger_actions(rule: dict[str, Any]) -> dict[str, Any]:
    """Notification actions are the operators' to choose in Sentry: not compared."""
    triggers = [{k: v for k, v in t.items() if k != "actions"} for t in rule["triggers"]]
    return {**rule, "triggers": triggers}


def _keep_trigger_actions(rule: dict[str, Any], existing: dict[str, Any]) -> dict[str, Any]:
    actions = {t.get("label"): t.get("actions", []) for t in existing.get("triggers", [])}
    triggers = [{**t, "actions": actions.get(t["label"], t["actions"])} for t in rule["triggers"]]
    return {**rule, "triggers": triggers}


@dataclass
class ProvisionReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def _sync_named(
    *,
    api: SentryApi,
    report: ProvisionReport,
    kind: str,
    list_path: str,
    item_path: Callable[[Any], str],
    desired: list[dict[str, Any]],
    name_key: str = "name",
    compared: Callable[[dict[str, Any]], dict[str, Any]] = lambda body: body,
    for_update: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] = lambda b, e: b,
    detail: bool = False,
) -> None:
    existing = {item.get(name_key): item for item in api.get_list(list_path)}
    for body in desired:
        label = f"{kind} {body[name_key]!r}"
        current = existing.get(body[name_key])
        if current is None:
            api.write("POST", list_path, body)
            report.created.append(label)
            continue
        if detail:
            current = api.get(item_path(current["id"]))
        if matches(compared(body), current):
            report.unchanged.append(label)
        else:
            api.write("PUT", item_path(current["id"]), for_update(body, current))
            report.updated.append(label)


def sentry_provision(*, api: SentryApi) -> ProvisionReport:
    """Bring the project's alerts, dashboard and grouping rules to what this module says."""
    org, project = api.config.org, api.config.project
    report = ProvisionReport()
    project_path = f"/api/0/projects/{org}/{project}/"
    project_details = api.get(project_path)

    _sync_named(
        api=api,
        report=report,
        kind="metric alert",
        list_path=f"/api/0/organizations/{org}/alert-rules/",
        item_path=lambda id_: f"/api/0/organizations/{org}/alert-rules/{id_}/",
        desired=metric_alert_rules(project=project),
        compared=_without_trigger_actions,
        for_update=_keep_trigger_actions,
    )
    _sync_named(
        api=api,
        report=report,
        kind="issue alert",
        list_path=f"{project_path}rules/",
        item_path=lambda id_: f"{project_path}rules/{id_}/",
        desired=issue_alert_rules(),
    )
    _sync_named(
        api=api,
        report=report,
        kind="dashboard",
        list_path=f"/api/0/organizations/{org}/dashboards/",
        item_path=lambda id_: f"/api/0/organizations/{org}/dashboards/{id_}/",
        desired=[dashboard(project_id=int(project_details["id"]))],
        name_key="title",
        detail=True,  # the list has titles only
    )

    rules = project_details.get("fingerprintingRules") or ""
    merged = merge_fingerprinting(rules, fingerprinting_block())
    if merged == rules:
        report.unchanged.append("fingerprinting rules")
    else:
        api.write("PUT", project_path, {"fingerprintingRules": merged})
        report.updated.append("fingerprinting rules")
    return report
