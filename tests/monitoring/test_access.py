"""monitoring/access.py: who may read /metrics and /sentry/status, hardened and in development."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

MONITORING_TOKEN = "scrape-token-0123456789abcdef"
SCRAPER = {"Authorization": f"Bearer {MONITORING_TOKEN}"}


@pytest.mark.parametrize("path", ["/metrics", "/sentry/status"])
def test_access__production_requires_token_or_staff_session(configure_sentry, http, settings, path):
    from tests.accounts.factories import PASSWORD, make_user

    settings.MONITORING_TOKEN = MONITORING_TOKEN
    configure_sentry("production", dsn="")
    anonymous = http.get(path)
    assert anonymous.status_code == 401
    assert anonymous.json() == {"detail": "Unauthorized"}
    assert (
        http.get(path, headers={"Authorization": "Bearer wrong-token-000000000"}).status_code == 401
    )
    assert http.get(path, headers=SCRAPER).status_code == 200
    assert http.get("/health").status_code == 200  # load balancers need no token
    assert http.get("/sentry-debug").status_code == 404

    staff = make_user("admin", username="ops-admin")
    teacher = make_user("teacher", username="not-staff")
    for user, expected in ((teacher, 401), (staff, 200)):
        http.cookies.clear()
        login_page = http.get("/admin/login/")
        csrf = login_page.cookies["csrftoken"]
        http.post(
            "/admin/login/",
            data={"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{http.base_url}/admin/login/"},
        )
        assert http.get(path).status_code == expected, user.username
    http.cookies.clear()


def test_access__open_in_development(http):
    assert http.get("/metrics").status_code == 200
    assert http.get("/sentry/status").status_code == 200
