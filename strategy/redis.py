"""Redis beyond Django's cache API: locks and Lua scripts need the raw client, and rate
limits need the same notion of "one client address" everywhere."""

from __future__ import annotations

import ipaddress

from django.core.cache import cache


def raw_client():
    """redis-py's client behind the cache: the cache's own URL and (in tests) its own database."""
    return cache._cache.get_client(write=True)


def address_bucket(address: str | None) -> str:
    """The key a rate limit counts an address under: IPv4 as it is, an IPv4-mapped IPv6 as its
    IPv4, other IPv6 per /64 (the block one subscriber usually holds), garbage as "unknown"."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)
