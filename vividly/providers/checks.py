"""`manage.py check_providers`: one tiny real call per configured provider, ok/failed with the reason.

A district operator runs it after deploying (docs/operations.md). Google providers make the
smallest call that proves identity, region, model access and the feature we depend on (a
schema-constrained reply, SSML timepoints, a 768-dim query vector, the index answering
`find_neighbors`); the image model is checked by reading the model (drawing one would cost
$0.04). Local providers are reported as local: nothing leaves the machine. Reasons carry Google's
status and message only, never a credential.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from . import google_cloud, registry

CAPABILITIES = ("llm", "image", "tts", "embeddings")
GOOGLE_BACKENDS = ("vividly.providers.gemini.", "vividly.providers.nano_banana.", "vividly.providers.google_tts.",
                   "vividly.providers.vertex_embeddings.")


@dataclass(frozen=True)
class Check:
    capability: str
    provider: str
    ok: bool
    detail: str
    seconds: float = 0.0


def timed(capability: str, provider: str, where: str, call: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail = call()
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
        return Check(capability, provider, False, f"{where}: {exc.__class__.__name__}: {str(exc)[:300]}",
                     time.perf_counter() - started)
    return Check(capability, provider, True, f"{where}: {detail}", time.perf_counter() - started)


def _where(provider) -> str:
    if getattr(provider, "api_key", ""):
        return f"Gemini API (developer key), model {getattr(provider, 'model', '')}"
    location = getattr(provider, "location", "") or "global"
    model = getattr(provider, "model", "") or getattr(provider, "voice", "")
    return f"Vertex AI {location}, {model}" if hasattr(provider, "model") else f"Cloud TTS {location}, {model}"


def _probe(capability: str, provider) -> Callable[[], str]:
    if capability == "llm":
        def call() -> str:
            result = provider.generate_json(system="Answer with JSON.", prompt='Reply {"ok": true}.',
                                            schema={"type": "OBJECT", "properties": {"ok": {"type": "BOOLEAN"}},
                                                    "required": ["ok"]})
            return f"structured reply {result.data}, {result.usage.input_tokens}+{result.usage.output_tokens} tokens"
        return call
    if capability == "image":
        def call() -> str:
            client = google_cloud.genai_client(project=provider.project, location=provider.location,
                                               api_key=provider.api_key, endpoint=provider.endpoint,
                                               timeout=provider.timeout)
            try:
                model = client.models.get(model=provider.model)
            except Exception as exc:
                raise google_cloud.map_genai_error(exc, "image model") from exc
            return f"model {model.name} reachable"
        return call
    if capability == "tts":
        def call() -> str:
            clip = provider.synthesize("Hello. Ready.")
            return f"{clip.duration_seconds:.1f} s of audio, {len(clip.sentence_spans)} sentence timepoints"
        return call

    def call() -> str:
        vector = provider.embed_query("check")
        return f"{len(vector)}-dim query vector"
    return call


def run_checks() -> list[Check]:
    """Every configured AI capability."""
    results = []
    for capability in CAPABILITIES:
        config = settings.VIVIDLY_PROVIDERS.get(capability)
        if not config:
            continue
        try:
            provider = registry.get(capability)
        except Exception as exc:  # noqa: BLE001 - a provider that cannot even be built is a failed check
            results.append(Check(capability, config["BACKEND"].rsplit(".", 1)[-1], False,
                                 f"not configured: {exc.__class__.__name__}: {str(exc)[:200]}"))
            continue
        if not config["BACKEND"].startswith(GOOGLE_BACKENDS):
            results.append(Check(capability, provider.name, True, "local provider (no network)"))
            continue
        results.append(timed(capability, provider.name, _where(provider), _probe(capability, provider)))
    return results  # the retrieval backend is checked by ingestion.checks (a layer above)
