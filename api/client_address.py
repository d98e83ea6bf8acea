"""The client's address, reading `X-Forwarded-For` only from configured proxies (issue 13).

`X-Forwarded-For` was trusted from any client, so anyone could pick the address their guesses
were counted under. Now the header is read only when the connection comes from an address in
the setting `trusted_proxies`; the client is then the right-most address in the header that is
not itself a trusted proxy (the left part of the header is whatever the client wrote).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

__all__ = ["client_address", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks ("10.0.0.1", "10.0.0.0/8"); `ValueError` names a bad one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"trusted proxy {entry!r} is not an IP address or block") from None
    return tuple(networks)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The address a look-up is counted under."""
    if peer is None:
        return "unknown"
    if forwarded_for is None or not _trusted(peer, proxies):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, proxies):
            return hop
    return peer
