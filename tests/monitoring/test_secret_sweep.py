"""Plant every kind of secret in every channel and prove none leaves the process.

A real server handles a real request full of secrets; the probe view also puts them in locals,
log calls, a breadcrumb and its exception message. We then search the raw envelope bytes that
reached the receiver and the JSON log file, and ask Sentry's own server-side scrubber whether it
would still find anything to remove.
"""

import urllib.parse

import pytest

from tests.support.api import login_token
from tests.support.relay_check import relay_leftovers
from tests.support.sentry_receiver import relay_errors

pytestmark = pytest.mark.django_db(transaction=True)

FAKE_JWT = (
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJQTEFOVEVEIiwibmFtZSI6InBsYW50ZWQifQ."
    "c2lnbmF0dXJlUExBTlRFRHNpZ25hdHVyZQ"
)
SECRETS = {
    "password": "Hunter2-PLANTED-pw",
    "nested_password": "Nested-PLANTED-pw",
    "new_password": "NewPLANTEDpw99",
    "api_key": "sk-proj-PLANTEDabcdefghijklmnop1234567890",
    "query_api_key": "sk-PLANTEDqueryKEY0987654321abcdef",
    "x_auth_token": "xauthPLANTED9876543210",
    "query_token": "PLANTEDqtoken123456",
    "session_cookie": "PLANTEDsession1234567abc",
    "csrf_cookie": "PLANTEDcsrf7654321abcdefghij",
    "card": "4111 1111 1111 1111",
    "card_compact": "4111111111111111",
    "jwt": FAKE_JWT,
}
PERSONAL = {
    "email": "kid.PLANTED@example.com",
    "query_email": "kid.query@example.com",
    "forwarded_ip": "203.0.113.77",
}


def leaks(haystack: bytes | str, needles: dict[str, str]) -> list[str]:
    text = haystack if isinstance(haystack, str) else haystack.decode("utf-8", "replace")
    found = []
    for name, value in needles.items():
        forms = {value, urllib.parse.quote(value), urllib.parse.quote_plus(value)}
        if any(form in text for form in forms):
            found.append(name)
    return found


def test_secret_sweep__nothing_planted_reaches_sentry_or_the_log_file(
    sentry_receiver, http, probe_urls, teacher, log_file
):
    access = login_token(http, teacher)
    query = urllib.parse.urlencode(
        {
            "access_token": SECRETS["query_token"],
            "email": PERSONAL["query_email"],
            "api_key": SECRETS["query_api_key"],
            "page": "2",
        }
    )
    response = http.post(
        f"/probe/boom?{query}",
        json={
            "password": SECRETS["password"],
            "user": {"password": SECRETS["nested_password"]},
            "new_password": SECRETS["new_password"],
            "card": SECRETS["card"],
            "email": PERSONAL["email"],
            "access_token": SECRETS["jwt"],
            "lesson": "Fractions for grade 4",
        },
        headers={
            "Authorization": f"Bearer {access}",
            "X-Auth-Token": SECRETS["x_auth_token"],
            "X-Api-Key": SECRETS["api_key"],
            "X-Forwarded-For": PERSONAL["forwarded_ip"],
            "Cookie": f"sessionid={SECRETS['session_cookie']}; csrftoken={SECRETS['csrf_cookie']}",
        },
    )
    assert response.status_code == 500

    event = sentry_receiver.wait_for(lambda r: [e for e in r.events if e.get("exception")])[0]
    transaction = sentry_receiver.wait_for(
        lambda r: [t for t in r.transactions if t["transaction"] == "/probe/boom"]
    )[0]
    logs = sentry_receiver.wait_for(
        lambda r: [entry for entry in r.logs if "probe called" in entry["body"]]
    )

    # The sweep is meaningful: every channel did carry data.
    assert event["request"]["headers"]
    assert event["request"]["data"]
    assert event["exception"]["values"][-1]["stacktrace"]["frames"][-1]["vars"]
    assert any(c["category"] == "custom" for c in event["breadcrumbs"]["values"])
    assert "[Filtered]" in logs[0]["body"]
    assert event["request"]["data"]["lesson"] == "Fractions for grade 4"  # useful data survives

    planted = {**SECRETS, **PERSONAL, "access": access}
    assert leaks(sentry_receiver.raw_bytes, planted) == []
    assert leaks(log_file.text(), planted) == []
    # Sentry's own server-side scrubbing would find nothing left to remove.
    assert relay_leftovers(event) == []
    assert relay_leftovers(transaction) == []
    assert relay_errors(event) == []
    assert relay_errors(transaction) == []
