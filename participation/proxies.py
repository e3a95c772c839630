"""The real client address: forwarded headers are believed only from configured proxies.

Behind nginx every connection comes from the proxy, so without this every visitor shares
one address and one set of rate limits. But anyone can send an ``X-Forwarded-For``
header, so it is read only when the connecting peer is in ``TRUSTED_PROXIES`` (addresses
or networks). The header is walked from the right, skipping our own proxies: the first
address that is not one of them is the client (nginx's ``real_ip_recursive``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from flask import request

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(raw: str) -> Address | None:
    try:
        addr = ipaddress.ip_address(raw.strip().strip("[]"))
    except ValueError:
        return None
    # A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        return addr.ipv4_mapped
    return addr


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR and wsgi.url_scheme as the trusted proxy saw them."""

    def __init__(self, app: Any, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks = [ipaddress.ip_network(t.strip(), strict=False) for t in trusted]

    def trusts(self, addr: Address | None) -> bool:
        return addr is not None and any(addr in net for net in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = parse_address(environ.get("REMOTE_ADDR", ""))
        if self.trusts(peer):
            client = peer
            hops = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
            for raw in reversed([h for h in hops if h.strip()]):
                addr = parse_address(raw)
                if addr is None:
                    break  # garbage: keep the last address a trusted proxy vouched for
                client = addr
                if not self.trusts(addr):
                    break
            environ["REMOTE_ADDR"] = str(client)
            # Our nearest proxy sets it (nginx: proxy_set_header X-Forwarded-Proto $scheme).
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)


def client_address() -> str:
    """The key for per-address limits: the client, with an IPv6 /64 counted as one.

    One IPv6 subscriber usually holds a whole /64, so keying on single addresses would
    give an attacker 2^64 fresh budgets."""
    addr = parse_address(request.remote_addr or "")
    if addr is None:
        return request.remote_addr or "unknown"
    if isinstance(addr, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((addr, 64), strict=False))
    return str(addr)
