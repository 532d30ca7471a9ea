"""A small LTI 1.3 platform (an LMS) on 127.0.0.1, for end-to-end tests of our tool.

It signs real RS256 id_tokens with its own key and serves its JWKS; answers the OIDC
authorisation request with the form_post a browser would auto-submit; issues AGS access tokens
only for a client assertion that verifies against the *tool's* published JWKS; records score
posts (and can fail them with 500 a given number of times); and verifies deep-linking responses
against the tool's JWKS. :class:`Browser` is the user agent: a real HTTP client with cookies.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.sentry_receiver import free_port

CLIENT_ID = "toolbox-client-1"
DEPLOYMENT_ID = "deployment-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Platform:
    tool_url: str = ""
    key: Any = field(default_factory=_new_key)
    other_key: Any = field(default_factory=_new_key)  # for bad signatures: same kid, wrong key
    kid: str = "platform-key-1"
    launches: dict[str, dict] = field(default_factory=dict)
    scores: list[dict] = field(default_factory=list)
    assertions: list[str] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    deep_link_responses: list[dict] = field(default_factory=list)
    id_tokens: list[str] = field(default_factory=list)
    fail_scores: int = 0

    def __post_init__(self) -> None:
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    issuer = url

    def start(self) -> Platform:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def registration(self) -> dict[str, Any]:
        """What an admin enters for this platform."""
        return {
            "name": "Simulated LMS",
            "issuer": self.url,
            "client_id": CLIENT_ID,
            "deployment_ids": [DEPLOYMENT_ID],
            "jwks_url": f"{self.url}/jwks",
            "auth_login_url": f"{self.url}/auth",
            "access_token_url": f"{self.url}/token",
        }

    # --- what the platform puts in an id_token -------------------------------------------------

    def prepare(self, **spec: Any) -> str:
        """Remember a launch to make; returns its ``lti_message_hint``."""
        hint = secrets.token_hex(8)
        self.launches[hint] = spec
        return hint

    def id_token(self, spec: dict[str, Any], *, nonce: str, redirect_uri: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": spec.get("iss", self.url),
            "aud": spec.get("aud", CLIENT_ID),
            "sub": spec.get("sub", "lms-user-1"),
            "iat": now,
            "exp": now + spec.get("expires_in", 300),
            "nonce": nonce,
            # What an LMS sends about a child, that the tool must not keep.
            "name": spec.get("name", "Ada PLANTEDNAME Lovelace"),
            "email": spec.get("email", "ada.planted@school.example"),
            CLAIM + "deployment_id": spec.get("deployment_id", DEPLOYMENT_ID),
            CLAIM + "version": "1.3.0",
            CLAIM + "target_link_uri": redirect_uri,
            CLAIM + "roles": spec.get("roles", [LEARNER]),
            CLAIM + "context": {"id": spec.get("context_id", "course-1"), "title": "Year 4"},
        }
        if spec.get("deep_link"):
            claims[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            claims[DL] = {
                "deep_link_return_url": f"{self.url}/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window", "iframe"],
                "data": "platform-opaque-data",
            }
        else:
            claims[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            claims[CLAIM + "resource_link"] = {"id": spec.get("resource_link", "link-1")}
            claims[CLAIM + "custom"] = spec.get("custom", {})
            if spec.get("lineitem"):
                claims[AGS] = {
                    "scope": [SCORE_SCOPE],
                    "lineitem": f"{self.url}/lineitems/{spec['lineitem']}",
                }
        key = self.other_key if spec.get("bad_signature") else self.key
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
        self.id_tokens.append(token)
        return token

    # --- the tool's keys -----------------------------------------------------------------------

    def _tool_decode(self, token: str, *, audience: str) -> dict[str, Any]:
        """Verify a JWT the tool signed, against the JWKS the tool publishes."""
        keys = httpx.get(f"{self.tool_url}/lti/jwks.json", timeout=10).json()["keys"]
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in keys if k["kid"] == kid)
        public = RSAAlgorithm.from_jwk(json.dumps(jwk))
        return jwt.decode(token, public, algorithms=["RS256"], audience=audience)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json"):
                data = body if isinstance(body, bytes) else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                return dict(urllib.parse.parse_qsl(raw))

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if parts.path == "/jwks":
                    public = json.loads(RSAAlgorithm.to_jwk(platform.key.public_key()))
                    keys = [{**public, "kid": platform.kid, "alg": "RS256", "use": "sig"}]
                    return self._send(200, json.dumps({"keys": keys}))
                if parts.path == "/auth":
                    # OIDC authorisation: check what the tool asked for, answer with form_post.
                    assert query["response_mode"] == "form_post"
                    assert query["client_id"] == CLIENT_ID
                    spec = platform.launches[query["lti_message_hint"]]
                    token = platform.id_token(
                        spec, nonce=query["nonce"], redirect_uri=query["redirect_uri"]
                    )
                    page = (
                        f'<form method="post" action="{html.escape(query["redirect_uri"])}">'
                        f'<input type="hidden" name="id_token" value="{token}">'
                        f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
                        "</form>"
                    )
                    return self._send(200, page, "text/html")
                self._send(404, "{}")

            def do_POST(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                form_type = self.headers.get("Content-Type", "")
                if parts.path == "/token":
                    form = self._form()
                    platform.assertions.append(form["client_assertion"])
                    claims = platform._tool_decode(
                        form["client_assertion"], audience=f"{platform.url}/token"
                    )
                    assert claims["iss"] == claims["sub"] == CLIENT_ID
                    assert form["grant_type"] == "client_credentials"
                    token = secrets.token_urlsafe(24)
                    platform.access_tokens.add(token)
                    body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
                    return self._send(200, json.dumps(body))
                if parts.path.startswith("/lineitems/") and parts.path.endswith("/scores"):
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    length = int(self.headers.get("Content-Length") or 0)
                    score = json.loads(self.rfile.read(length))
                    if bearer not in platform.access_tokens:
                        return self._send(401, '{"error": "invalid_token"}')
                    if platform.fail_scores > 0:
                        platform.fail_scores -= 1
                        return self._send(500, '{"error": "gradebook unavailable"}')
                    assert "score" in form_type
                    platform.scores.append({"path": parts.path, **score})
                    return self._send(200, "{}")
                if parts.path == "/deep_link_return":
                    form = self._form()
                    claims = platform._tool_decode(form["JWT"], audience=platform.url)
                    platform.deep_link_responses.append(claims)
                    return self._send(200, "<p>Placed</p>", "text/html")
                self._send(404, "{}")

        return Handler


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The first form of a page: its action and its hidden/named inputs (what a browser sends)."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]*)"', page).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    return action, fields


class Browser:
    """A user agent: keeps cookies per site, follows what a browser would."""

    def __init__(self, tool_url: str) -> None:
        self.tool_url = tool_url
        self.client = httpx.Client(timeout=15)

    def close(self) -> None:
        self.client.close()

    def launch(self, platform: Platform, **spec: Any) -> tuple[httpx.Response, dict[str, str]]:
        """The LMS starts a launch: login initiation, the platform's form_post, the launch.

        Returns the tool's answer to the launch and the form that was posted (to replay it).
        """
        hint = platform.prepare(**spec)
        login = self.client.get(
            f"{self.tool_url}/lti/login",
            params={
                "iss": platform.url,
                "login_hint": "opaque-login-hint",
                "target_link_uri": f"{self.tool_url}/lti/launch",
                "lti_message_hint": hint,
                "client_id": CLIENT_ID,
                "lti_deployment_id": DEPLOYMENT_ID,
            },
        )
        assert login.status_code == 302, login.text
        authorised = self.client.get(login.headers["location"])
        action, fields = form_of(authorised.text)
        return self.post_launch(action, fields), {"action": action, **fields}

    def post_launch(self, action: str, fields: dict[str, str]) -> httpx.Response:
        return self.client.post(action, data=fields)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(self.tool_url + path)

    def post(self, path: str, data: dict[str, str]) -> httpx.Response:
        csrf = self.client.cookies.get("csrftoken", "")
        return self.client.post(self.tool_url + path, data={**data, "csrfmiddlewaretoken": csrf})

    def signed_in(self) -> bool:
        return "sessionid" in self.client.cookies
