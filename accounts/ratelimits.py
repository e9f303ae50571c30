"""Rate limits on the shared Redis cache (django-ratelimit's counters, correct across processes).

- `enforce(request, name, key_value)` raises `RateLimitExceeded` (a `Ratelimited`) when over the
  configured rate; `RatelimitMiddleware` turns it into a 429 page, DRF throttles into a 429 JSON.
- `check_lesson_quota(user) -> (allowed, retry_after_seconds)` counts one lesson request against
  `VIVIDLY_RATE_LIMITS["lesson_request"]` (10/h per user); `refund_lesson_quota(user)` gives one back
  when generation failed.
- `check_regeneration_quota(user)` / `refund_regeneration_quota(user)`: the same for teachers'
  lesson regenerations (`VIVIDLY_RATE_LIMITS["lesson_regenerate"]`, 5/h per teacher).
- Redis down: every check fails open (allowed) and logs an error, so sign-in keeps working.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import ALL
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate, get_usage
from django_ratelimit.exceptions import Ratelimited
from rest_framework.throttling import BaseThrottle

from vividly.client_ip import client_ip

logger = logging.getLogger(__name__)

DEFAULT_RATES = {
    "auth_ip": "300/15m",       # every POST to an auth endpoint, per client IP
    "api_user_minute": "60/m",  # API, per user (per IP when anonymous)
    "api_user_hour": "1000/h",
    "lesson_request": "10/h",   # per user
    "lesson_regenerate": "5/h",  # per teacher: each one is a full, paid generation job
}


def rate_for(name: str) -> str:
    return {**DEFAULT_RATES, **getattr(settings, "VIVIDLY_RATE_LIMITS", {})}[name]


class RateLimitExceeded(Ratelimited):
    def __init__(self, retry_after: int, message: str = "Too many requests.") -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


@dataclass(frozen=True)
class Usage:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)


def hit(*, name: str, key_value: str, request: Any = None, increment: bool = True) -> Usage:
    """Count one event for `key_value` under the named rate; fail open if the cache is down."""
    rate = rate_for(name)
    try:
        usage = get_usage(request, group=name, key=lambda _group, _request: key_value, rate=rate,
                          method=ALL, increment=increment)
    except Exception:  # Redis down or misbehaving: never block sign-in or lessons on it.
        logger.exception("rate limit check failed open", extra={"limit": name})
        return Usage(True, 0)
    if usage is None:
        if getattr(settings, "RATELIMIT_ENABLE", True):
            logger.error("rate limit check failed open (no counter)", extra={"limit": name})
        return Usage(True, 0)
    if usage["should_limit"]:
        return Usage(False, max(1, usage["time_left"]))
    return Usage(True, 0)


def refund(*, name: str, key_value: str) -> None:
    """Give back one event counted by `hit` in the current window (never below zero)."""
    rate = rate_for(name)
    _limit, period = _split_rate(rate)
    cache_key = _make_cache_key(name, _get_window(key_value, period), rate, key_value, ALL)
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    try:
        if (cache.get(cache_key) or 0) > 0:
            cache.decr(cache_key)
    except Exception:
        logger.exception("rate limit refund failed", extra={"limit": name})


def client_ip_key(request) -> str:
    return "ip:" + (client_ip(request) or "unknown")


def user_or_ip_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return client_ip_key(request)


def enforce(request, name: str, key_value: str | None = None) -> None:
    """Raise `RateLimitExceeded` when `request` goes over the named rate."""
    usage = hit(name=name, key_value=key_value or client_ip_key(request), request=request)
    if not usage.allowed:
        raise RateLimitExceeded(usage.retry_after)


def enforce_auth_ip(request) -> None:
    """The per-IP ceiling on auth POSTs (sized for a whole school behind one address)."""
    if request.method == "POST":
        enforce(request, "auth_ip")


# --- lesson quota (used by the lesson-request code) ----------------------------------------------

def check_lesson_quota(user) -> tuple[bool, int]:
    """Count one lesson request for `user`: `(allowed, retry_after_seconds)`."""
    usage = hit(name="lesson_request", key_value=f"user:{user.pk}")
    return usage.allowed, usage.retry_after


def refund_lesson_quota(user) -> None:
    """Give back the lesson request counted for `user` (e.g. generation failed)."""
    refund(name="lesson_request", key_value=f"user:{user.pk}")


def check_regeneration_quota(user) -> tuple[bool, int]:
    """Count one lesson regeneration for a teacher: `(allowed, retry_after_seconds)`."""
    usage = hit(name="lesson_regenerate", key_value=f"user:{user.pk}")
    return usage.allowed, usage.retry_after


def refund_regeneration_quota(user) -> None:
    refund(name="lesson_regenerate", key_value=f"user:{user.pk}")


# --- DRF ------------------------------------------------------------------------------------------

class _RateThrottle(BaseThrottle):
    rate_names: tuple[str, ...] = ()

    def key_for(self, request) -> str:
        return user_or_ip_key(request)

    def allow_request(self, request, view) -> bool:
        self.retry_after = 0
        key = self.key_for(request)
        for name in self.rate_names:
            usage = hit(name=name, key_value=key, request=request)
            if not usage.allowed:
                self.retry_after = max(self.retry_after, usage.retry_after)
        return self.retry_after == 0

    def wait(self) -> int | None:
        return self.retry_after or None


class APIRateThrottle(_RateThrottle):
    """60/min and 1000/h per user (per IP when anonymous), shared by every API process."""

    rate_names = ("api_user_minute", "api_user_hour")


class AuthIPThrottle(_RateThrottle):
    """The per-IP ceiling on auth endpoints (POST only), for the JWT views."""

    rate_names = ("auth_ip",)

    def key_for(self, request) -> str:
        return client_ip_key(request)

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)
