"""`get("llm")` imports and caches the backend named in settings.VIVIDLY_PROVIDERS (Wagtail-style).

Settings shape: {"llm": {"BACKEND": "dotted.Class", "OPTIONS": {...}, "FALLBACK": "local"}, ...}.
A capability may also name a fallback capability entry used while its breaker is open.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _build(capability: str, backend: str, options_key: str) -> Any:
    config = settings.VIVIDLY_PROVIDERS[capability]
    return import_string(backend)(**config.get("OPTIONS", {}))


def get(capability: str) -> Any:
    """The configured provider instance for a capability ("embeddings", "llm", "image", "tts")."""
    try:
        config = settings.VIVIDLY_PROVIDERS[capability]
    except KeyError as exc:
        raise KeyError(f"No provider configured for '{capability}' in VIVIDLY_PROVIDERS") from exc
    return _build(capability, config["BACKEND"], repr(sorted(config.get("OPTIONS", {}).items())))


def reset() -> None:
    """Forget cached instances (tests that override settings call this)."""
    _build.cache_clear()
