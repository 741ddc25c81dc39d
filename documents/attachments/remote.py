"""Fetching a remote image for an attachment (HTML pasted from a web page), safe from SSRF.

Why this shape: the host is resolved once, every address it resolves to must be public (or in
ATTACHMENT_FETCH_ALLOWED_NETWORKS), and the connection goes to that checked address itself, so
a second DNS answer cannot point the request elsewhere (DNS rebinding). http.client is used
(urllib3 is not a dependency) with a connection whose socket is opened to the checked IP while
the request keeps the original Host header and, for https, SNI and certificate verification
against the hostname. Redirects are followed by hand, each target checked again. One deadline
covers connecting and the whole read, and the body is read in chunks up to a byte limit.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_URL_LENGTH = 2048
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}
# Not global by ipaddress's tables but worth naming: shared address space (carrier NAT).
SHARED = ipaddress.ip_network("100.64.0.0/10")


class FetchRefused(Exception):
    """The image could not be fetched; `code` names the reason."""

    code = "fetch_failed"


class InvalidURL(FetchRefused):
    """Not an http(s) URL this fetcher accepts."""

    code = "invalid_url"


class AddressNotAllowed(FetchRefused):
    """The host resolves to an address that is not public, nor allowed by the operator."""

    code = "address_not_allowed"


class UpstreamError(FetchRefused):
    """The remote server failed, answered other than 2xx, or redirected too often."""

    code = "bad_gateway"


class FetchTimeout(FetchRefused):
    """The whole fetch took longer than ATTACHMENT_FETCH_TIMEOUT."""

    code = "timeout"


class TooLarge(FetchRefused):
    """The body is larger than the limit."""

    code = "too_large"


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`) and what to ask for."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The operator's extra networks (ATTACHMENT_FETCH_ALLOWED_NETWORKS)."""
    return [
        ipaddress.ip_network(cidr, strict=False)
        for cidr in settings.ATTACHMENT_FETCH_ALLOWED_NETWORKS
    ]


def address_allowed(address: str) -> bool:
    """Whether a fetch may connect to `address`: a public one, or one the operator allows."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in allowed_networks()):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and ip not in SHARED


def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (one DNS lookup)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UpstreamError(f"The host {host} cannot be resolved: {error}.") from None
    return [info[4][0] for info in infos]


def check_url(url: str) -> Target:
    """Parse and check `url`, resolving its host once; raises InvalidURL or AddressNotAllowed."""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidURL("The URL cannot be parsed.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidURL("Only http and https URLs with a host can be fetched.")
    if parts.username is not None or parts.password is not None:
        raise InvalidURL("A URL with a user name or password is not fetched.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not addresses or not all(address_allowed(address) for address in addresses):
        raise AddressNotAllowed(f"The host {parts.hostname} is not on a public address.")
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, verified against the hostname (SNI too)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(http.client.HTTPConnection):
    """A plain HTTP connection to a checked address, with the hostname as Host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def fetch_image(url: str, max_bytes: int, timeout: float) -> bytes:
    """The body of `url`, following at most MAX_REDIRECTS checked redirects, within `timeout`
    seconds in all and `max_bytes` bytes; raises a FetchRefused."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        target = check_url(url)
        try:
            location, body = _get(target, max_bytes, deadline)
        except TimeoutError:
            raise FetchTimeout(f"The image took longer than {timeout:g} seconds.") from None
        except (OSError, http.client.HTTPException) as error:
            raise UpstreamError(f"The image could not be fetched: {error}.") from None
        if location is None:
            return body
        url = urljoin(url, location)
    raise UpstreamError(f"More than {MAX_REDIRECTS} redirects.")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _get(target: Target, max_bytes: int, deadline: float) -> tuple[str | None, bytes]:
    """One request: a redirect's Location, or the body."""
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, _remaining(deadline))
    try:
        connection.request("GET", target.path, headers={"Accept": "image/*", "Connection": "close"})
        # Kept: http.client lets go of the socket once a "Connection: close" response begins.
        sock = connection.sock
        response = connection.getresponse()
        if response.status in REDIRECTS and response.getheader("Location"):
            return response.getheader("Location"), b""
        if not 200 <= response.status < 300:
            raise UpstreamError(f"The remote server answered {response.status}.")
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise TooLarge(f"The image is larger than the limit of {max_bytes:,} bytes.")
        chunks, received = [], 0
        while True:
            sock.settimeout(_remaining(deadline))
            chunk = response.read1(CHUNK)
            if not chunk:
                return None, b"".join(chunks)
            received += len(chunk)
            if received > max_bytes:
                raise TooLarge(f"The image is larger than the limit of {max_bytes:,} bytes.")
            chunks.append(chunk)
    finally:
        connection.close()
