"""The client's address: the socket peer, or the ``X-Forwarded-For`` hop that configured proxies
vouch for.

``X-Forwarded-For`` is written by whoever sends the request, so believing its leftmost entry
lets any client pick its own address (a new one per try: never throttled, never attributed).
Only hops added by proxies we run are trustworthy. Two ways to say which those are:

- ``TRUSTED_PROXY_COUNT=N``: exactly N proxies stand in front of the app, each appending the
  address it received the request from; the client is the N-th address from the right.
- ``TRUSTED_PROXY_NETWORKS=10.0.0.0/8,...``: any hop inside these networks is one of our
  proxies; the client is the rightmost address outside them.

With neither (the default) the socket peer is the client and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from django.conf import settings

from monitoring.env import ConfigError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# A header can name any number of hops; no deployment has more proxies than this.
MAX_FORWARDED_HOPS = 32


def parse_networks(name: str, raw: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDRs (or single addresses) from a setting, or a :class:`ConfigError` naming it."""
    networks = []
    for item in raw:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(name, item, "comma-separated networks like 10.0.0.0/8") from None
    return tuple(networks)


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def resolve_client_address(
    peer: str, forwarded_for: str, *, proxy_count: int, proxy_networks: Sequence[IPNetwork]
) -> str:
    """The client address from the socket ``peer`` and the ``X-Forwarded-For`` value."""
    if not forwarded_for or not (proxy_count or proxy_networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")[-MAX_FORWARDED_HOPS:]]
    chain = [*hops, peer]
    if proxy_count:
        # The peer is the last proxy; each proxy before it appended one hop.
        candidate = chain[max(0, len(chain) - 1 - proxy_count)]
        return candidate if _address(candidate) is not None else peer
    client = peer
    for hop in reversed(chain):
        address = _address(hop)
        if address is None:
            break  # garbage written by the client: the last proxy's view stands
        client = hop
        if not any(address in network for network in proxy_networks):
            break
    return client


def client_address(meta: Mapping[str, str]) -> str:
    """The client address of a request (``request.META`` or an equivalent mapping)."""
    return resolve_client_address(
        meta.get("REMOTE_ADDR", "") or "",
        meta.get("HTTP_X_FORWARDED_FOR", "") or "",
        proxy_count=settings.TRUSTED_PROXY_COUNT,
        proxy_networks=settings.TRUSTED_PROXY_NETWORKS,
    )
