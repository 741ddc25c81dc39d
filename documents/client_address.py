"""Which address a request came from: the one rule for everything that counts clients.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as
it was written by proxies we trust (`settings.TRUSTED_PROXIES`, addresses or networks; none
by default). Walking the header from the right, each hop added by a trusted proxy is skipped
and the first address that is not a trusted proxy is the client; what a client wrote further
left is never reached. Without trusted proxies the header is ignored.
"""

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None


def trusted_proxies() -> tuple[Network, ...]:
    """The proxies whose `X-Forwarded-For` entries are believed (ImproperlyConfigured when
    the setting names something that is not an address or a network)."""
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _is_trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in proxies)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent `request`, as far as trusted proxies vouch for it."""
    return _vouched_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def socket_client_address(scope: dict) -> str:
    """The same for a WebSocket's ASGI scope."""
    peer = scope.get("client") or ("", 0)
    forwarded = ", ".join(
        value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name == b"x-forwarded-for"
    )
    return _vouched_address(peer[0], forwarded)


def _vouched_address(address: str, forwarded: str) -> str:
    proxies = trusted_proxies()
    if not proxies:
        return address
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    while hops and _is_trusted(address, proxies):
        address = hops.pop()
    return address
