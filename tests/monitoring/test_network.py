"""Which X-Forwarded-For hop is the client (monitoring.network)."""

import pytest

from monitoring.env import ConfigError
from monitoring.network import client_address, parse_networks, resolve_client_address

PROXIES = parse_networks("TRUSTED_PROXY_NETWORKS", ["10.0.0.0/8", "fd00::/8"])


def test_resolve_client_address__without_trusted_proxies_the_header_is_ignored():
    assert resolve_client_address("9.9.9.9", "1.1.1.1", proxy_count=0, proxy_networks=()) == (
        "9.9.9.9"
    )


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("5.6.7.8", "5.6.7.8"),
        ("1.2.3.4, 5.6.7.8", "5.6.7.8"),  # the client wrote 1.2.3.4 itself
        ("1.2.3.4, 5.6.7.8, 10.1.1.1", "5.6.7.8"),  # two of our proxies
        ("not-an-ip, 10.1.1.1", "10.1.1.1"),
        ("2001:db8::1, fd00::5", "2001:db8::1"),
    ],
)
def test_resolve_client_address__trusted_networks_skip_our_own_hops(forwarded, expected):
    assert (
        resolve_client_address("10.0.0.1", forwarded, proxy_count=0, proxy_networks=PROXIES)
        == expected
    )


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "1.2.3.4, 5.6.7.8", "5.6.7.8"),
        (2, "1.2.3.4, 5.6.7.8", "1.2.3.4"),
        (3, "5.6.7.8", "5.6.7.8"),  # fewer hops than proxies: the leftmost
        (1, "5.6.7.8, garbage", "10.0.0.1"),
    ],
)
def test_resolve_client_address__proxy_count_picks_the_nth_from_the_right(
    count, forwarded, expected
):
    assert (
        resolve_client_address("10.0.0.1", forwarded, proxy_count=count, proxy_networks=())
        == expected
    )


def test_client_address__reads_the_settings(settings):
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8"}
    assert client_address(meta) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(meta) == "5.6.7.8"


def test_parse_networks__names_the_variable():
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_NETWORKS='bogus'"):
        parse_networks("TRUSTED_PROXY_NETWORKS", ["bogus"])
