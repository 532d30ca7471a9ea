"""monitoring.scrubbing value rules: secrets are found by pattern in free text.

Part of "nothing secret (nor, with PII off, personal) leaves the process": every kind of secret
planted in text is replaced by the filter marker while the text around it survives; personal
data (email and IP addresses, user names) goes only with PII off; ordinary text, including our
own listen, loopback and configured service addresses, stays readable.
"""

from __future__ import annotations

import pytest

from monitoring.scrubbing import FILTERED, scrub_text
from tests.support.scrubbing import BEARER, EMAIL, IPV4, IPV6, JWT, OPENAI_KEY, USERNAME

# --- value rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (f"token {JWT} here", JWT, "token  here"),
        (f"Authorization: Bearer {BEARER}!", BEARER, "Authorization: !"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA", "Authorization: "),
        ("Authorization: Token abcdef0123456789", "abcdef0123456789", "Authorization: "),
        (f"using {OPENAI_KEY} now", OPENAI_KEY, "using  now"),
        ("stripe sk_live_51HxYzAbCdEfGh12 ok", "sk_live_51HxYzAbCdEfGh12", "stripe  ok"),
        ("pk_test_TYooMQauvdEDq54NiTphI7jx", "TYooMQauvdEDq54NiTphI7jx", ""),
        ("gh ghp_16C7e42F292c6912E7710c838347Ae178B4a x", "ghp_16C7e42F292c", "gh  x"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_11ABC", ""),
        ("slack xoxb-123456789012-abcdefABCDEF", "xoxb-1234", "slack "),
        ("aws AKIAIOSFODNN7EXAMPLE key", "AKIAIOSFODNN7EXAMPLE", "aws  key"),
        ("api_key=abc123XYZ&x=1", "abc123XYZ", "api_key=&x=1"),
        ("login failed password=hunter2 for bob", "hunter2", "login failed password= for bob"),
        ('{"password": "hunter2", "ok": 1}', "hunter2", '{"password": "", "ok": 1}'),
        ("{'password': 'hunter2', 'ok': 1}", "hunter2", "{'password': '', 'ok': 1}"),
        ('{\\"password\\": \\"hunter2\\"}', "hunter2", '{\\"password\\": \\"\\"}'),
        ("{'auth': {'value': 'hunter2'}, 'ok': 1}", "hunter2", "{'auth': , 'ok': 1}"),
        (
            "sessionid=abc123; csrftoken=def456; theme=dark",
            "abc123",
            "sessionid=; csrftoken=; theme=dark",
        ),
        ("Cookie: sessionid=abc123; csrftoken=def456", "def456", "Cookie: ; csrftoken="),
        (
            "db postgres://toolbox:s3cret@db:5432/toolbox",
            "s3cret",
            "db postgres://@db:5432/toolbox",
        ),
        ("hash pbkdf2_sha256$870000$salt$abc= ok", "abc=", "hash  ok"),
        ("form note=Bearer+b3arerTok3n.Zq9xW2&x=1", "b3arerTok3n", "form note=&x=1"),
        ("card 4111 1111 1111 1111 ok", "4111 1111", "card  ok"),
        ("card 4111-1111-1111-1111.", "4111-1111", "card ."),
        ("amex 378282246310005", "378282246310005", "amex "),
        ("ssn 123-45-6789 ok", "123-45-6789", "ssn  ok"),
        ("iban DE89 3704 0044 0532 0130 00", "3704 0044", "iban "),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----", "MIIEvQ", ""),
        (
            "GET /accounts/reset/MQ/c4x9k2-2f4e5d6c7b8a9f0e1d2c/",
            "c4x9k2",
            "GET /accounts/reset/MQ//",
        ),
        ("/confirm-email/MQ:1t2Xyz:Kq8ab3dEfGhIjKlMnOp/ ok", "Kq8ab3d", "/confirm-email// ok"),
    ],
)
def test_scrub_text__secret_patterns_keep_the_text_around(text, secret, kept):
    for pii in (False, True):
        result = scrub_text(text, pii=pii)
        assert secret not in result
        assert FILTERED in result
        assert result.replace(FILTERED, "") == kept


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"mail {EMAIL} now", EMAIL),
        ("mail ada%40example.org", "ada%40example.org"),
        (f"from {IPV4}:8008", IPV4),
        ("from 10.0.0.1.", "10.0.0.1"),
        (f"from {IPV6} now", IPV6),
        ("peer 2001:db8::7 and [2001:db8::7]:8000", "2001:db8::7"),
        ("link fe80::1%eth0 up", "fe80::1"),
        ("mapped ::ffff:192.0.2.128 x", "192.0.2.128"),
        (f"username={USERNAME}&x=1", USERNAME),
    ],
)
def test_scrub_text__personal_data_only_with_pii_off(text, secret):
    assert secret not in scrub_text(text, pii=False)
    assert scrub_text(text, pii=True) == text


@pytest.mark.parametrize(
    "text",
    [
        "toolbox 1.2.3 on Python 3.11.9",
        "v1.2.3.4",
        "10.0.0.256",
        "12:30:45 on 2024-11-29T12:30:45.123+00:00",
        "mac 00:1b:44:11:3a:b7",
        "std::vector and a[::2]",
        "order 1234567812345678 (not Luhn) at 1732881234567",
        "4111111111111112",
        "a basic arithmetic lesson by the bearer of news",
        "sk-learn-pipeline",
        "author=Ann is_authenticated=True auth_method=password",
        "total_tokens=321 tokens_used: 99",
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "object at 0x7f3a2b1c4d50",
        "WHERE session_key = %s AND password = ?",
        "toolbox@1.0.0-test",
        "Fractions 101: 3/4 + 1/4 = 1",
        "/api/v1/tokens/usage and /accounts/password/change/",
    ],
)
def test_scrub_text__leaves_ordinary_text_alone(text):
    assert scrub_text(text, pii=False) == text


def test_scrub_text__finds_several_cards_in_a_run_of_numbers():
    result = scrub_text("cards 22 4111 1111 1111 1111 5555 5555 5555 4444 7", pii=True)
    assert result == f"cards 22 {FILTERED} {FILTERED} 7"


def test_scrub_text__non_strings_pass_through():
    assert scrub_text(None, pii=False) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "Listening on TCP address 0.0.0.0:8008",
        "Configuring endpoint tcp:port=8008:interface=127.0.0.1",
        "Listening at: http://[::]:8008 and [::1]:8000",
        "Connected to redis://127.0.0.1:6379/0",
    ],
)
def test_scrub_text__our_own_listen_and_loopback_addresses_stay_readable(text):
    assert scrub_text(text, pii=False) == text


def test_scrub_text__configured_service_hosts_stay_readable_clients_do_not(settings):
    from monitoring.scrubbing.addresses import own_addresses

    settings.REDIS_URL = "redis://:s3cret-pass@10.0.0.7:6379/0"
    own_addresses.cache_clear()
    try:
        scrubbed = scrub_text(
            "cache redis://:s3cret-pass@10.0.0.7:6379/0 for client 203.0.113.9", pii=False
        )
    finally:
        own_addresses.cache_clear()
    assert "10.0.0.7:6379" in scrubbed  # our Redis, configuration
    assert "s3cret-pass" not in scrubbed  # its credentials
    assert "203.0.113.9" not in scrubbed  # a client
