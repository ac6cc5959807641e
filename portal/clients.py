"""Who is the client? The one place that decides which address a per-client limit counts.

Behind the TLS proxy the README describes, every request arrives from the proxy's address;
counted by that, all visitors would share one limit (and one person could lock out everyone).
The proxy therefore appends the real peer to ``X-Forwarded-For``. That header is only as
trustworthy as whoever sent it, so it is read only when the request comes from a configured
trusted proxy (``PORTAL_TRUSTED_PROXIES``), and then from the right: each trusted proxy
appends the address it saw, so the right-most entry that is not itself a trusted proxy is the
first address no one we trust could vouch for beyond — the client. Anything left of it was
written by the client and may be forged.

Written by hand rather than with django-ipware: ipware trusts proxies by the addresses
listed *in* the header, not by the peer the connection comes from, and knows no networks.
"""

import hashlib
import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Nobody needs more hops than this; a longer header is not walked further (no 500, no cost).
MAX_HOPS = 20


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse ``PORTAL_TRUSTED_PROXIES`` entries (addresses or CIDR networks).

    Raises ValueError on an invalid entry; settings.py calls it at start to fail fast."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def parse_address(value: str) -> Address | None:
    """An IP address from a header entry or REMOTE_ADDR; None for anything else.

    Accepts the forms proxies write: ``1.2.3.4``, ``2001:db8::1``, with a port
    (``1.2.3.4:5678``, ``[2001:db8::1]:443``); IPv4-mapped IPv6 counts as the IPv4 address."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The address every per-client limit counts (survey, codes, forms, admin login).

    The peer (``REMOTE_ADDR``) unless it is a trusted proxy; then the right-most entry of
    ``X-Forwarded-For`` that is not a trusted proxy. A missing or unreadable header falls
    back to the peer: counting the proxy is wrong but safe, a 500 or a forged address is not.
    """
    peer = request.META.get("REMOTE_ADDR", "") or ""
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    peer_address = parse_address(peer)
    if not networks or peer_address is None or not _is_trusted(peer_address, networks):
        return peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not isinstance(header, str):
        return peer
    innermost = peer
    for entry in reversed(header.split(",")[-MAX_HOPS:]):
        address = parse_address(entry)
        if address is None:
            # Reached only through entries our proxies wrote: a misconfiguration, not an
            # attacker's doing (their entries lie left of their own address).
            return peer
        if not _is_trusted(address, networks):
            return str(address)
        innermost = str(address)
    # Only trusted hosts in the chain: the request started inside (a health check, say).
    return innermost


def client_hash(request) -> str:
    """A keyed hash of the client address, for cache keys: the address itself is never
    stored, and without the secret key the hash cannot be reversed by trying all addresses."""
    address = client_address(request)
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()
