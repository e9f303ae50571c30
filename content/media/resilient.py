"""Render a visual / narrate text with the configured provider, falling back to the local one.

The configured providers come from `registry.get(capability)`; the fallbacks follow each entry's
"FALLBACK" key in turn ("image" → "image_local"; "tts" → "tts_local" (Piper) → "tts_espeak").
Google providers raise ProviderUnavailable while their breaker is open and ProviderFatal for a
blocked or bad request; the Piper voice raises ProviderFatal when its model cannot load or run: all
fall back. ProviderRetryable propagates by default, so the Celery task retries.
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


def fallback_chain(capability: str) -> list[Any]:
    """The providers to try after `capability`'s own, following each entry's "FALLBACK" key."""
    chain, seen = [], {capability}
    name = settings.VIVIDLY_PROVIDERS[capability].get("FALLBACK")
    while name and name not in seen:
        seen.add(name)
        chain.append(registry.get(name))
        name = settings.VIVIDLY_PROVIDERS[name].get("FALLBACK")
    return chain


def _with_fallback(capability: str, method: str, arg: Any, *, primary: Any, fallback: Any,
                   fallback_on: tuple[type[ProviderError], ...]) -> MediaResult:
    primary = primary if primary is not None else registry.get(capability)
    backups = [fallback] if fallback is not None else fallback_chain(capability)
    try:
        return MediaResult(result=getattr(primary, method)(arg), provider=primary.name)
    except fallback_on as exc:
        failed, reasons = primary, [f"{primary.name}: {exc.__class__.__name__}: {exc}"]
        for backup in backups:
            if backup.name == failed.name:
                continue
            logger.warning("media provider fell back", extra={
                "capability": capability, "provider": failed.name, "fallback": backup.name,
                "error": reasons[-1][:200]})
            try:
                result = getattr(backup, method)(arg)
            except fallback_on as backup_exc:
                failed = backup
                reasons.append(f"{backup.name}: {backup_exc.__class__.__name__}: {backup_exc}")
                continue
            return MediaResult(result=result, provider=backup.name, fell_back=True,
                               reason=" | ".join(reasons)[:300])
        raise


def render_with_fallback(spec: SlideSpec, *, capability: str = "image", primary: Any = None, fallback: Any = None,
                         fallback_on: tuple[type[ProviderError], ...] = DEFAULT_FALLBACK_ON) -> MediaResult:
    """Render one scene with the configured image provider; the local slide while it is unavailable."""
    return _with_fallback(capability, "render", spec, primary=primary, fallback=fallback, fallback_on=fallback_on)


def synthesize_with_fallback(text: str, *, capability: str = "tts", primary: Any = None, fallback: Any = None,
                             fallback_on: tuple[type[ProviderError], ...] = DEFAULT_FALLBACK_ON) -> MediaResult:
    """Narrate text with the configured TTS provider (or `capability`'s), then its fallbacks in turn."""
    return _with_fallback(capability, "synthesize", text, primary=primary, fallback=fallback,
                          fallback_on=fallback_on)
