"""The client's address, read one way by every consumer (lockouts, rate limits, audit rows, /metrics).

Each proxy in front of Django appends the address it received the connection from to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT = N the client is the Nth entry from the right: the one
our outermost proxy wrote. Everything further left came from the client and is never read, so an
attacker can prepend anything without changing the result. N = 0 (no proxy, `make run`) ignores the
header. A header with fewer than N entries did not pass through all our proxies: the socket address
is used (with a warning, once per process, when the header is present but short: N is too high for
the topology). An entry that is not an IP address (a misconfigured proxy) also falls back to the
socket address, so garbage never becomes a lockout or rate-limit key.

Hand-written because it is a dozen lines and must be the single source for code paths no library
covers (django-axes takes it through AXES_CLIENT_IP_CALLABLE). The shipped Cloud Run topology and
how to verify N: docs/operations.md, "Client IP behind Cloud Run".
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

PEER_KEY = "vividly.peer_addr"  # request.META key holding the socket address before resolution
_RESOLVED_KEY = "vividly.client_ip"
_warned_short_header = False


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def forwarded_hops(meta: dict) -> list[str]:
    """The X-Forwarded-For entries, left (client-supplied) to right (appended by our proxies)."""
    return [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]


def resolve(meta: dict, proxy_count: int) -> str | None:
    """The client address for one request's WSGI environ under `proxy_count` trusted proxies."""
    peer = _valid_ip(meta.get(PEER_KEY, meta.get("REMOTE_ADDR")))
    if proxy_count <= 0:
        return peer
    hops = forwarded_hops(meta)
    if len(hops) < proxy_count:
        if hops:  # no header at all is normal for health probes; a short one means N is too high
            _warn_short_header(len(hops), proxy_count)
        return peer
    return _valid_ip(hops[-proxy_count]) or peer


def _warn_short_header(found: int, expected: int) -> None:
    """Once per process: requests arrive with fewer hops than configured (N is probably too high)."""
    global _warned_short_header  # noqa: PLW0603 - a once-per-process flag, deliberately global
    if not _warned_short_header:
        _warned_short_header = True
        logger.warning("X-Forwarded-For has fewer entries than TRUSTED_PROXY_COUNT; using the socket address",
                       extra={"entries": found, "trusted_proxy_count": expected})


def client_ip(request) -> str | None:
    """The client's IP address for `request` (None when unknown); computed once per request."""
    if request is None:
        return None
    meta = request.META
    if _RESOLVED_KEY not in meta:
        meta[_RESOLVED_KEY] = resolve(meta, settings.TRUSTED_PROXY_COUNT)
    return meta[_RESOLVED_KEY]


def peer_address(request) -> str | None:
    """The socket address the request came from (the nearest proxy in production)."""
    return request.META.get(PEER_KEY, request.META.get("REMOTE_ADDR")) or None
