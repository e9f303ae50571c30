"""Render a visual / narrate text with the configured provider, falling back to the local one.

The configured providers come from `registry.get("image" | "tts")`; their fallback is the
capability named by that entry's "FALLBACK" key ("image_local" / "tts_local"). Google providers
raise ProviderUnavailable while their breaker is open and ProviderFatal for a blocked or bad
request: both fall back. ProviderRetryable propagates by default, so the Celery task retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from vividly.providers import registry
from vividly.providers.base import (
    AudioClip,
    ProviderError,
    ProviderFatal,
    ProviderUnavailable,
    RenderedImage,
    SlideSpec,
)

logger = logging.getLogger(__name__)
DEFAULT_FALLBACK_ON: tuple[type[ProviderError], ...] = (ProviderUnavailable, ProviderFatal)


@dataclass(frozen=True)
class MediaResult:
    """A provider's output plus which provider made it and why a fallback happened (if it did)."""

    result: RenderedImage | AudioClip
    provider: str
    fell_back: bool = False
    reason: str = ""


def _fallback_for(capability: str) -> Any:
    name = settings.VIVIDLY_PROVIDERS[capability].get("FALLBACK")
    return registry.get(name) if name else None


def _with_fallback(capability: str, method: str, arg: Any, *, primary: Any, fallback: Any,
                   fallback_on: tuple[type[ProviderError], ...]) -> MediaResult:
    primary = primary if primary is not None else registry.get(capability)
    try:
        return MediaResult(result=getattr(primary, method)(arg), provider=primary.name)
    except fallback_on as exc:
        backup = fallback if fallback is not None else _fallback_for(capability)
        if backup is None or backup.name == primary.name:
            raise
        logger.warning("media provider fell back", extra={
            "capability": capability, "provider": primary.name, "fallback": backup.name,
            "error": exc.__class__.__name__})
        return MediaResult(result=getattr(backup, method)(arg), provider=backup.name, fell_back=True,
                           reason=f"{exc.__class__.__name__}: {exc}"[:300])


def render_with_fallback(spec: SlideSpec, *, primary: Any = None, fallback: Any = None,
                         fallback_on: tuple[type[ProviderError], ...] = DEFAULT_FALLBACK_ON) -> MediaResult:
    """Render one scene with the configured image provider; the local slide while it is unavailable."""
    return _with_fallback("image", "render", spec, primary=primary, fallback=fallback, fallback_on=fallback_on)


def synthesize_with_fallback(text: str, *, primary: Any = None, fallback: Any = None,
                             fallback_on: tuple[type[ProviderError], ...] = DEFAULT_FALLBACK_ON) -> MediaResult:
    """Narrate text with the configured TTS provider; espeak-ng while it is unavailable."""
    return _with_fallback("tts", "synthesize", text, primary=primary, fallback=fallback, fallback_on=fallback_on)
