"""A small client for Sentry's REST API, for the operator commands (``sentry_provision``).

Reads always go to Sentry (a dry run needs them to know what would change); writes are printed
instead of sent with ``dry_run``. The auth token goes in one header and nowhere else: not in
messages, not in errors, not in what a dry run prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx

from monitoring.conf import SentryApiConfig

TIMEOUT_SECONDS = 15.0
MAX_PAGES = 50
# Sentry paginates lists with a Link header: <url>; rel="next"; results="true"; cursor="..."
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next";\s*results="true"')


class SentryApiError(Exception):
    """Sentry refused or failed a request; the message is one line and never holds the token."""


class SentryApi:
    def __init__(
        self,
        config: SentryApiConfig,
        *,
        dry_run: bool,
        echo: Callable[[str], None],
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.config = config
        self.dry_run = dry_run
        self.echo = echo
        self.writes = 0
        self._client = httpx.Client(
            base_url=config.url,
            headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SentryApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, path: str) -> Any:
        return self._request("GET", path).json()

    def get_list(self, path: str) -> list[Any]:
        """Every page of a list endpoint."""
        items: list[Any] = []
        url: str | None = path
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self._request("GET", url)
            items.extend(response.json())
            match = _NEXT_LINK.search(response.headers.get("Link", ""))
            url = match[1] if match else None
        return items

    def write(self, method: str, path: str, body: dict[str, Any]) -> Any:
        """POST/PUT ``body``; with ``dry_run``, print the request and send nothing."""
        self.writes += 1
        if self.dry_run:
            self.echo(f"{method} {self.config.url.rstrip('/')}{path}")
            self.echo("Authorization: Bearer [redacted]")
            self.echo(json.dumps(body, indent=2, sort_keys=True))
            return None
        return self._request(method, path, json=body).json()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        shown = path if path.startswith("/") else httpx.URL(path).path
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise SentryApiError(
                f"{method} {shown}: no answer from {self.config.url} within "
                f"{self._client.timeout.read}s"
            ) from None
        except httpx.TransportError as exc:
            raise SentryApiError(
                f"{method} {shown}: cannot reach {self.config.url} ({type(exc).__name__})"
            ) from None
        if response.status_code in (401, 403):
            raise SentryApiError(
                f"Sentry refused the auth token ({response.status_code}) for {method} {shown}: "
                "check SENTRY_AUTH_TOKEN and its scopes (org:read, project:write, alerts:write)"
            )
        if response.status_code >= 400:
            raise SentryApiError(
                f"Sentry answered {response.status_code} to {method} {shown}: {_detail(response)}"
            )
        return response


def _detail(response: httpx.Response) -> str:
    """Sentry's error body, on one line and short (it never echoes our token)."""
    try:
        text = json.dumps(response.json(), sort_keys=True)
    except ValueError:
        text = response.text
    text = " ".join(text.split())
    return text[:300] + ("..." if len(text) > 300 else "")
