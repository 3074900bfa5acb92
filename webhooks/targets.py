"""Which URLs the product calls (SSRF guard), checked when an endpoint is saved AND before every
attempt, on the addresses the name resolves to at that moment (a name that later resolves to an
internal address is refused then): http(s) only, no credentials in the URL, and every resolved
address outside the private, loopback, link-local, shared, multicast and reserved ranges. The
request then connects to one of these checked addresses (`transport.post`), never resolving again.

`settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS` (on in development only, see README "Configuration")
lifts the address check so that a receiver on the developer's machine can be tried.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import TargetRefused

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name, for the Host header and TLS (SNI, certificate check)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # checked IP addresses, in the resolver's order


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback or ip.is_private)


def parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        raise TargetRefused(_("Adresse invalide.")) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise TargetRefused(_("Seules les adresses http:// et https:// sont acceptées."))
    if not parts.hostname:
        raise TargetRefused(_("L'adresse doit nommer un serveur."))
    if parts.username or parts.password:
        raise TargetRefused(_("L'adresse ne peut pas contenir d'identifiants."))
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return scheme, parts.hostname, port or DEFAULT_PORTS[scheme], path


def resolve(url: str) -> Target:
    """The checked target of `url`, or `TargetRefused` saying why not."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        raise TargetRefused(_("Le nom « %(host)s » ne se résout en aucune adresse.") % {"host": host}) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise TargetRefused(_("Le nom « %(host)s » ne se résout en aucune adresse.") % {"host": host})
    if not allow_private():
        for address in addresses:
            if not is_public(address):
                raise TargetRefused(
                    _("« %(host)s » désigne une adresse privée, locale ou réservée (%(address)s) : refusée.")
                    % {"host": host, "address": address}
                )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)
