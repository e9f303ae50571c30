"""Provider contracts: one Protocol per capability, results as frozen dataclasses.

Local offline providers are the real defaults; Google providers are used in production and are
tested against fakes at the HTTP boundary. Errors map to `ProviderRetryable` (timeouts, 5xx, 429)
or `ProviderFatal` (4xx, bad input) — Saleor's retryable-vs-terminal rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class ProviderError(Exception):
    """Base for provider failures."""


class ProviderRetryable(ProviderError):
    """Transient: retry with backoff (timeouts, connection errors, 5xx, 429)."""


class ProviderFatal(ProviderError):
    """Permanent for this input: do not retry (4xx, malformed response, safety block)."""


class ProviderUnavailable(ProviderError):
    """The provider's circuit breaker is open: fall back to the local provider."""


@dataclass(frozen=True)
class Usage:
    """What a call consumed, for the cost ledger (local providers cost 0)."""

    provider: str
    input_tokens: int = 0
    output_tokens: int = 0
    images: int = 0
    characters: int = 0
    texts: int = 0


@dataclass(frozen=True)
class EmbeddingBatch:
    model: str
    dimensions: int
    vectors: list[list[float]]
    usage: Usage


@runtime_checkable
class EmbeddingProvider(Protocol):
    name: str
    model: str
    dimensions: int

    def embed_documents(self, texts: list[str]) -> EmbeddingBatch:
        """Embed passages for the index."""
        ...

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query."""
        ...


@dataclass(frozen=True)
class GeneratedText:
    text: str
    data: dict[str, Any] | None
    usage: Usage


@runtime_checkable
class LLMProvider(Protocol):
    name: str

    def generate_json(self, *, system: str, prompt: str, schema: dict[str, Any]) -> GeneratedText:
        """Structured JSON generation; raises ProviderFatal on malformed output."""
        ...


@dataclass(frozen=True)
class SlideSpec:
    """What one scene's visual must show."""

    title: str
    bullets: list[str] = field(default_factory=list)
    equation: str | None = None
    citation: str = ""
    interest: str = ""
    subject: str = ""
    scene_index: int = 0
    scene_count: int = 1
    visual_description: str = ""


@dataclass(frozen=True)
class RenderedImage:
    png: bytes
    width: int
    height: int
    usage: Usage


@runtime_checkable
class ImageProvider(Protocol):
    name: str

    def render(self, spec: SlideSpec) -> RenderedImage:
        """A 1280x720 PNG for the scene."""
        ...


@dataclass(frozen=True)
class AudioClip:
    wav: bytes
    duration_seconds: float
    sample_rate: int
    usage: Usage


@runtime_checkable
class SpeechProvider(Protocol):
    name: str

    def synthesize(self, text: str) -> AudioClip:
        """Narrate text to a mono WAV."""
        ...
