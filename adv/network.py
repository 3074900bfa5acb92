"""The caller's IP address, one rule for every use (login lockout, audit, download and approval logs).

Behind a reverse proxy the connection comes from the proxy, and the client is in
`X-Forwarded-For`. That header is written by whoever sends the request, so it is believed only as
far as it was appended by a proxy we trust (`TRUSTED_PROXIES`: addresses or CIDR networks; empty
by default, then the connection's address is the client, whatever the header says). The chain is
read from the right: the first address that is not a trusted proxy is the client.

The ASGI server is started without its own proxy-header handling (`--no-proxy-headers`), so this
module is the only place where the header is read; `TrustedProxyMiddleware` writes the result back
to `REMOTE_ADDR` before anything (django-axes, sessions, views) reads it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def resolve_client_ip(remote_addr: str, forwarded_for: str) -> str | None:
    """The client's address from the connection's and the `X-Forwarded-For` chain."""
    client = _address(remote_addr or "")
    if client is None:
        return None
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    while is_trusted_proxy(client) and hops:
        previous = _address(hops.pop())
        if previous is None:  # garbage in the chain: stop at the last proxy we trust
            break
        client = previous
    return str(client)


def client_ip(request) -> str | None:
    """The caller's address (after `TrustedProxyMiddleware`, simply the normalised REMOTE_ADDR)."""
    address = _address(request.META.get("REMOTE_ADDR", ""))
    return str(address) if address is not None else None


class TrustedProxyMiddleware:
    """First in the chain: REMOTE_ADDR becomes the client's address as `resolve_client_ip` sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        resolved = resolve_client_ip(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""))
        request.META["REMOTE_ADDR"] = resolved or ""
        return self.get_response(request)
