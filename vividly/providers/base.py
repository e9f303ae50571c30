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
    """What one scene's visual must show.

    Teaching fields (issue 18, all optional; writers fill them through the script scene's keys of
    the same name, see content/writers/__init__.py):
    - `kind`: the scene kind ("hook", "explanation", "example", "recap", "check").
    - `key_idea`: the one idea of the narration as a short phrase (≤ ~12 words), shown large.
    - `equation`: plain text as ingested ("F_net = m × a", "a = (F_net)/(m)", "K_a = ([H3O^+][A^−])/([HA])")
      or mathtext between dollar signs; typeset with subscripts, fractions and roots.
    - `example_lines`: the worked example's numbers, one step a line ("m = 0.62 kg", "F_net = 12 N",
      "a = F_net / m = 19.4 m/s^2"); typeset like equations, the last line highlighted as the result.
    - `sketch`: a labelled diagram: "forces", "wave", "cell", "reaction", "atom" or "" (chosen from
      the scene's words when empty, none when nothing fits); "none" turns it off.
    - `sketch_labels`: labels for the sketch. forces: "right: Push 12 N" / "left:" / "up:" / "down:"
      arrows, a label without a direction names the object; wave: wavelength and amplitude labels;
      cell: the parts to label ("nucleus", "mitochondrion", "cell membrane", "ribosome",
      "cytoplasm", "chloroplast", "cell wall", "vacuole"); atom: protons, neutrons, electrons.
    - `reaction`: a reaction or formula with plain digits ("2H2 + O2 -> 2H2O", "NaCl(s) -> Na+ + Cl-");
      drawn with proper subscripts, charges and arrow ("->", "→", "<=>", "⇌").
    """

    title: str
    bullets: list[str] = field(default_factory=list)
    equation: str | None = None
    citation: str = ""
    interest: str = ""
    subject: str = ""
    scene_index: int = 0
    scene_count: int = 1
    visual_description: str = ""
    kind: str = ""
    key_idea: str = ""
    example_lines: tuple[str, ...] = ()
    sketch: str = ""
    sketch_labels: tuple[str, ...] = ()
    reaction: str = ""


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
    """Narration audio. `sentence_spans`: (start, end) seconds per sentence of the narrated text
    (sentences as `content.media.speech.split_sentences` splits them), when the provider knows them;
    `voice`: which voice spoke ("piper:en_US-joe-medium", "espeak-ng:en-us", ...)."""

    wav: bytes
    duration_seconds: float
    sample_rate: int
    usage: Usage
    sentence_spans: tuple[tuple[float, float], ...] = ()
    voice: str = ""


@runtime_checkable
class SpeechProvider(Protocol):
    name: str

    def synthesize(self, text: str) -> AudioClip:
        """Narrate text to a mono WAV."""
        ...
