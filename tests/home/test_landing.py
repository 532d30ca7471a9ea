"""``GET /`` is a small landing page (it was Django's debug 404 listing every URL) whose every link
works, under the Content-Security-Policy, in development and from a hardened gunicorn."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from tests.support.deploy import strong_secret_key
from tests.support.servers import start_gunicorn

EXPECTED_LINKS = {"/api/docs", "/admin/", "/health", "/api/v1/catalog"}
MAX_PAGE_BYTES = 10 * 1024


class Page(HTMLParser):
    """Links, stylesheets, scripts and inline styles of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.stylesheets: list[str] = []
        self.scripts = 0
        self.inline_styles = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"])
        if tag == "script":
            self.scripts += 1
        if tag == "style" or "style" in attributes:
            self.inline_styles += 1


def check_landing(client: httpx.Client) -> None:
    assert client.head("/").status_code == 200
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "ToolboxAI" in response.text and "Page not found" not in response.text
    assert '<html lang="en">' in response.text
    page = Page(response.text)
    assert EXPECTED_LINKS <= set(page.links)
    # Nothing the policy (script-src 'self') would have to allow: no script, no inline style.
    assert page.scripts == 0 and page.inline_styles == 0
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]

    for link in page.links:
        followed = client.get(link, follow_redirects=True)
        assert followed.status_code == 200, (link, followed.status_code)

    [stylesheet] = page.stylesheets
    assert stylesheet.startswith("/static/")
    css = client.get(stylesheet)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert len(response.content) + len(css.content) < MAX_PAGE_BYTES


@pytest.mark.django_db(transaction=True)
def test_landing__page_with_working_links_in_development(http):
    check_landing(http)


@pytest.mark.django_db(transaction=True)
def test_landing__admin_view_site_link_leads_to_it(http, admin_client):
    # The admin's header links "View site" to the landing page and names the product.
    index = admin_client.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    assert re.search(r'<a href="/">View site</a>', html)
    assert "ToolboxAI administration" in html


@pytest.mark.slow
def test_landing__hardened_gunicorn_serves_it_and_its_static_files(tmp_path, server_database):
    # DEBUG off, production settings: nothing but the app server itself serves /static/ (the
    # stylesheet, the admin's and the API docs' assets), and none has been collected here.
    server = start_gunicorn(
        tmp_path,
        {
            "SENTRY_ENVIRONMENT": "production",
            "SECRET_KEY": strong_secret_key(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": server_database.url,
            "REDIS_URL": "",
            "LOG_FILE": "",
        },
        wait_path="/health",
    )
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            check_landing(client)
            docs = client.get("/api/docs")
            assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text)
            assert assets
            for asset in assets:
                assert client.get(asset).status_code == 200, asset
            admin_css = client.get("/static/admin/css/base.css")
            assert admin_css.status_code == 200
    finally:
        server.stop()
