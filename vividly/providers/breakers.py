"""Named circuit breakers (pybreaker) whose state lives in Redis, so every process agrees.

`breaker("gemini")` returns the process-wide breaker; thresholds come from settings.BREAKERS.
While a breaker is open, calls raise `ProviderUnavailable` at once and callers fall back.
"""

from __future__ import annotations

import logging
from functools import cache

import pybreaker
import redis
from django.conf import settings

from .base import ProviderFatal, ProviderUnavailable

logger = logging.getLogger(__name__)

BREAKER_NAMES = ("gemini", "vertex_ai", "nano_banana", "tts", "vertex_vector_search")


class _LogListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb, old_state, new_state):
        logger.warning("circuit breaker state change",
                       extra={"breaker": cb.name, "old": getattr(old_state, "name", None),
                              "new": getattr(new_state, "name", None)})


@cache
def _redis_client() -> redis.Redis:
    # Short timeouts: if Redis is down, pybreaker falls back to a closed circuit rather than hang.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)


@cache
def breaker(name: str) -> pybreaker.CircuitBreaker:
    """The shared breaker for a provider name (one of BREAKER_NAMES)."""
    config = {**settings.BREAKERS.get("default", {}), **settings.BREAKERS.get(name, {})}
    storage = pybreaker.CircuitRedisStorage(
        pybreaker.STATE_CLOSED, _redis_client(), namespace=f"{settings.BREAKER_NAMESPACE}:{name}")
    return pybreaker.CircuitBreaker(
        fail_max=config.get("fail_max", 5),
        reset_timeout=config.get("reset_timeout", 60),
        exclude=[ProviderFatal],  # a bad request says nothing about the provider's health
        state_storage=storage,
        listeners=[_LogListener()],
        name=name,
    )


def call(name: str, func, *args, **kwargs):
    """Run func through the named breaker; an open circuit becomes ProviderUnavailable."""
    try:
        return breaker(name).call(func, *args, **kwargs)
    except pybreaker.CircuitBreakerError as exc:
        raise ProviderUnavailable(f"{name} circuit is open") from exc


def states() -> dict[str, dict]:
    """Current state and failure count of every named breaker (for the admin and /metrics)."""
    result = {}
    for name in BREAKER_NAMES:
        cb = breaker(name)
        result[name] = {"state": cb.current_state, "fail_counter": cb.fail_counter,
                        "fail_max": cb.fail_max, "reset_timeout": cb.reset_timeout}
    return result


def reset_all() -> None:
    """Close every breaker (tests and the admin 'reset' action)."""
    for name in BREAKER_NAMES:
        breaker(name).close()
