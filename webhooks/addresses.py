"""Where a webhook may be sent: https where required, and only to public addresses, checked
after DNS resolution so that a name pointing inside the network is refused too (SSRF).

`vet_url` answers the addresses it checked; the sender connects to one of them rather than
resolving the name again, so that a DNS answer changed between the check and the connection
(rebinding) cannot redirect the request.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from webhooks.error_codes import WebhookCode

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The URL may not receive webhooks; `code` says why (WebhookCode)."""

    def __init__(self, message: str, code: WebhookCode) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """A vetted URL: its scheme, host (as named), port, path with query, and the addresses
    the host resolved to, every one of them allowed."""

    scheme: str
    host: str
    port: int
    target: str
    addresses: tuple[IPAddress, ...]


def is_public(address: IPAddress) -> bool:
    """A global unicast address: not private, loopback, link-local, multicast, reserved,
    unspecified, shared (CGNAT) or documentation; an IPv4-mapped or 6to4 one is judged by
    the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast


def vet_url(url: str) -> Target:
    """The URL's target, or AddressRefused. Resolves the host (a blocking DNS lookup)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    allowed = {"https"} if settings.WEBHOOK_REQUIRE_HTTPS else {"https", "http"}
    if scheme not in allowed:
        raise AddressRefused(
            f"A webhook URL must use {' or '.join(sorted(allowed))}.",
            WebhookCode.URL_SCHEME_REFUSED,
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(
            "The URL's port is not a number.", WebhookCode.URL_SCHEME_REFUSED
        ) from None
    host = parts.hostname
    if not host or parts.username is not None or parts.password is not None:
        raise AddressRefused(
            "A webhook URL names a host and carries no credentials.",
            WebhookCode.URL_SCHEME_REFUSED,
        )
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise AddressRefused(
            f"The host {host} does not resolve.", WebhookCode.URL_UNRESOLVABLE
        ) from None
    addresses = tuple(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found)
    )
    if not addresses:
        raise AddressRefused(f"The host {host} does not resolve.", WebhookCode.URL_UNRESOLVABLE)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        refused = [str(address) for address in addresses if not is_public(address)]
        if refused:
            raise AddressRefused(
                f"The host {host} resolves to an address that is not public "
                f"({', '.join(refused)}): private, loopback and link-local addresses may not "
                "receive webhooks.",
                WebhookCode.URL_ADDRESS_REFUSED,
            )
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, target=target, addresses=addresses)
