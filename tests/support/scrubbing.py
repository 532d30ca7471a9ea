"""Planted secrets and personal data, and SDK-shaped events carrying them everywhere, for the
scrubbing tests; ``leaked`` names what got through, ``CapturingTransport`` keeps what the SDK would
have sent."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, quote_plus

from sentry_sdk.transport import Transport

# --- planted secrets ------------------------------------------------------------------------------

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdHVkZW50LTQyIn0."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
BEARER = "b3arerTok3n.Zq9xW2vK"
OPENAI_KEY = "sk-proj-Q7fV2mX9tLp4Rk8sWz1Yb6Nc3Hd5Gj0A"
PASSWORD = "hunter2-Pa55word"
NEW_PASSWORD = "n3wSecr3tPw-77"
ACCESS_TOKEN = "acc3ssT0kenValue88"
X_AUTH_TOKEN = "xAuthT0k3nValue99"
LOCAL_PWD = "l0calPwdValue11"
SESSION_ID = "s3ssion1dvalue9xq"
CSRF_TOKEN = "csrfT0k3nValue77z"
CARD = "4111 1111 1111 1111"
PASSWORD_HASH = "pbkdf2_sha256$870000$Nq8sQ2$Zq9x1mV0bYk3R7tWcF5pLhG2dJ8sA4eK6uN1oB3iC0E="
EMAIL = "ada.child@example.org"
IPV4 = "203.0.113.7"
IPV6 = "2001:db8:85a3::8a2e:370:7334"
USERNAME = "ada_l0velace"

SECRETS = {
    "jwt": JWT,
    "bearer": BEARER,
    "sk-key": OPENAI_KEY,
    "password": PASSWORD,
    "new_password": NEW_PASSWORD,
    "access_token": ACCESS_TOKEN,
    "x-auth-token": X_AUTH_TOKEN,
    "local pwd": LOCAL_PWD,
    "sessionid": SESSION_ID,
    "csrftoken": CSRF_TOKEN,
    "card": CARD,
    "password hash": PASSWORD_HASH,
    "card (compact)": CARD.replace(" ", ""),
}
PERSONAL = {"email": EMAIL, "ipv4": IPV4, "ipv6": IPV6, "username": USERNAME}

# Free text carrying every secret in the forms a message, a log line or a header would.
TEXT = (
    f"login failed: jwt {JWT} with Authorization: Bearer {BEARER} and key {OPENAI_KEY}; "
    f"password={PASSWORD} new_password={NEW_PASSWORD} access_token={ACCESS_TOKEN} "
    f"X-Auth-Token: {X_AUTH_TOKEN} pwd={LOCAL_PWD} Cookie: sessionid={SESSION_ID}; "
    f"csrftoken={CSRF_TOKEN}; card {CARD} for {EMAIL} from {IPV4} / {IPV6} "
    f"username={USERNAME} (toolbox 1.2.3)"
)


def secret_dict() -> dict[str, Any]:
    """Every secret under the keys (nested, partial) where code puts them."""
    return {
        "user": {"password": PASSWORD, "role": "teacher"},
        "new_password": NEW_PASSWORD,
        "access_token": ACCESS_TOKEN,
        "X-Auth-Token": X_AUTH_TOKEN,
        "pwd": LOCAL_PWD,
        "sessionid": SESSION_ID,
        "csrftoken": CSRF_TOKEN,
        "note": f"Bearer {BEARER} then {JWT} then {OPENAI_KEY}",
        "payment": {"card": CARD, "amount": 12},
        "contact": EMAIL,
        "client": IPV4,
        "client6": IPV6,
        "username": USERNAME,
        "lesson": "Fractions 101",
    }


def frame(vars_: dict[str, Any]) -> dict[str, Any]:
    return {
        "filename": "accounts/views.py",
        "abs_path": "/srv/toolbox/accounts/views.py",
        "function": "login",
        "module": "accounts.views",
        "lineno": 42,
        "in_app": True,
        "context_line": '    raise ValueError(f"login failed for {username}")',
        "pre_context": ["def login(request):", f'    api_key = "{OPENAI_KEY}"'],
        "post_context": [""],
        "vars": vars_,
    }


def sdk_vars() -> dict[str, Any]:
    """Locals as the SDK serialises them: strings repr()'d, deep values as repr text."""
    return {
        "pwd": repr(LOCAL_PWD),
        "client_secret": repr("cl1entSecretValue"),
        "OPENAI_API_KEY": repr(OPENAI_KEY),
        "payload": repr(secret_dict()),
        "data": secret_dict(),
        "request": f"<WSGIRequest: POST '/api/v1/login?token={ACCESS_TOKEN}'>",
        "attempts": 3,
        "version": "'1.2.3'",
    }


def error_event() -> dict[str, Any]:
    return {
        "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
        "timestamp": "2024-11-29T12:30:45.123456Z",
        "platform": "python",
        "level": "error",
        "release": "toolbox@1.2.3",
        "environment": "production",
        "server_name": "toolbox-web-1",
        "transaction": "/api/v1/login",
        "transaction_info": {"source": "route"},
        "sdk": {"name": "sentry.python.django", "version": "2.75.0"},
        "modules": {"django": "5.2.19", "pyjwt": "2.9.0", "django-allauth": "65.0"},
        "message": TEXT,
        "logentry": {
            "message": "login failed for user %s with password=%s token %s",
            "params": [USERNAME, PASSWORD, ACCESS_TOKEN],
            "formatted": (
                f"login failed for user {USERNAME} with password={PASSWORD} token {ACCESS_TOKEN}"
            ),
        },
        "exception": {
            "values": [
                {
                    "type": "ValueError",
                    "module": "builtins",
                    "value": TEXT,
                    "mechanism": {"type": "django", "handled": False},
                    "stacktrace": {"frames": [frame(sdk_vars())]},
                }
            ]
        },
        "threads": {"values": [{"id": 1, "stacktrace": {"frames": [frame(sdk_vars())]}}]},
        "request": {
            "method": "POST",
            "url": f"https://toolbox.example/api/v1/login?token={ACCESS_TOKEN}",
            "query_string": f"next=%2Fhome&password={PASSWORD}&access_token={ACCESS_TOKEN}"
            f"&email={EMAIL}&username={USERNAME}",
            "headers": {
                "Authorization": f"Bearer {BEARER}",
                "X-Auth-Token": X_AUTH_TOKEN,
                "Cookie": f"sessionid={SESSION_ID}; csrftoken={CSRF_TOKEN}; theme=dark",
                "X-Forwarded-For": IPV4,
                "X-Real-Ip": IPV6,
                "Referer": f"https://toolbox.example/reset?token={JWT}&email={EMAIL}",
                "X-Debug-Note": TEXT,
                "User-Agent": "Roblox/WinInet",
                "Content-Type": "application/json",
            },
            "cookies": {"sessionid": SESSION_ID, "csrftoken": CSRF_TOKEN, "theme": "dark"},
            "data": secret_dict(),
            "env": {"REMOTE_ADDR": IPV4, "SERVER_NAME": "toolbox-web-1", "SERVER_PORT": "8008"},
        },
        "user": {
            "id": "42",
            "username": USERNAME,
            "email": EMAIL,
            "ip_address": IPV4,
            "name": "Ada",
            "role": "student",
        },
        "extra": {
            **secret_dict(),
            "message": TEXT,
            "gen_ai.usage.input_tokens": 120,
            "total_tokens": 321,
            "tokens_used": 99,
            "token_count": 7,
            "author": "Ms Frizzle",
            "is_authenticated": True,
            "python": "Python 3.11.9",
        },
        "contexts": {
            "trace": {
                "trace_id": "771a43a4192642f0b136d5159a501700",
                "span_id": "a0cfbfa3ee4148d0",
                "op": "http.server",
                "status": "internal_error",
                "data": secret_dict(),
            },
            "response": {"status_code": 500},
            "login_debug": {**secret_dict(), "message": TEXT},
            "runtime": {"name": "CPython", "version": "3.11.9"},
        },
        "tags": {
            "request_id": "3f2b9c7e0a",
            "client_ip": IPV4,
            "session": SESSION_ID,
            "note": f"token={ACCESS_TOKEN}",
            "url": "/api/v1/login",
        },
        "breadcrumbs": {
            "values": [
                {
                    "type": "log",
                    "category": "accounts",
                    "level": "info",
                    "timestamp": "2024-11-29T12:30:44Z",
                    "message": TEXT,
                    "data": secret_dict(),
                },
                {
                    "type": "http",
                    "category": "httplib",
                    "data": {
                        "url": "https://api.openai.com/v1/chat/completions",
                        "http.method": "POST",
                        "http.query": f"api_key={OPENAI_KEY}",
                        "status_code": 200,
                    },
                },
            ]
        },
    }


def transaction_event() -> dict[str, Any]:
    event = {
        key: value
        for key, value in error_event().items()
        if key not in ("exception", "threads", "logentry", "message", "breadcrumbs")
    }
    event.update(
        type="transaction",
        start_timestamp="2024-11-29T12:30:45.000000Z",
        measurements={"lcp": {"value": 1.5, "unit": "second"}},
    )
    event["contexts"]["trace"]["status"] = "ok"
    event["spans"] = [
        {
            "span_id": "b1cfbfa3ee4148d1",
            "parent_span_id": "a0cfbfa3ee4148d0",
            "trace_id": "771a43a4192642f0b136d5159a501700",
            "op": "http.client",
            "status": "ok",
            "description": f"POST https://api.example/v1/generate?api_key={OPENAI_KEY}",
            "start_timestamp": "2024-11-29T12:30:45.100000Z",
            "timestamp": "2024-11-29T12:30:45.200000Z",
            "data": {
                **secret_dict(),
                "http.request.header.authorization": f"Bearer {BEARER}",
                "gen_ai.usage.input_tokens": 120,
                "gen_ai.usage.output_tokens": 45,
            },
        },
        {
            "span_id": "c2cfbfa3ee4148d2",
            "parent_span_id": "a0cfbfa3ee4148d0",
            "trace_id": "771a43a4192642f0b136d5159a501700",
            "op": "db",
            "status": "ok",
            "description": (
                f"UPDATE accounts_user SET password = '{PASSWORD}', email = '{EMAIL}', "
                f"last_login_ip = '{IPV4}' WHERE id = %s"
            ),
            "start_timestamp": "2024-11-29T12:30:45.100000Z",
            "timestamp": "2024-11-29T12:30:45.200000Z",
            "data": {"db.system": "postgresql", "db.params": [PASSWORD_HASH, EMAIL]},
        },
    ]
    return event


def log_item() -> dict[str, Any]:
    return {
        "severity_text": "warn",
        "severity_number": 13,
        "body": TEXT,
        "time_unix_nano": 1732883445123456789,
        "trace_id": "771a43a4192642f0b136d5159a501700",
        "span_id": None,
        "attributes": {
            **secret_dict(),
            "sentry.message.template": "login failed for {user} password {password} {token}",
            "sentry.message.parameter.user": USERNAME,
            "sentry.message.parameter.password": PASSWORD,
            "sentry.message.parameter.token": ACCESS_TOKEN,
            "sentry.environment": "production",
            "sentry.release": "toolbox@1.2.3",
            "sentry.sdk.version": "2.75.0",
            "user.id": "42",
            "user.name": USERNAME,
            "user.email": EMAIL,
            "gen_ai.usage.total_tokens": 42,
            "code.line.number": 17,
        },
    }


def leaked(result: Any, planted: dict[str, str]) -> list[str]:
    """The names of the planted values found in ``result``, plain or URL-encoded."""
    serialised = json.dumps(result, default=str)
    return [
        name
        for name, value in planted.items()
        if any(form in serialised for form in {value, quote(value), quote_plus(value)})
    ]


class CapturingTransport(Transport):
    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.payloads: list[Any] = []

    def capture_envelope(self, envelope: Any) -> None:
        for item in envelope.items:
            self.payloads.append(json.loads(item.payload.get_bytes()))
