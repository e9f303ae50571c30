"""AI providers (embeddings, script writer, slides, speech): local offline defaults, Google in production.

`VIVIDLY_PROVIDERS` is built here and only here: each capability names a BACKEND class, its
OPTIONS and an optional FALLBACK capability (vividly/providers/registry.py). The *_PROVIDER
variables choose a backend without code edits; "llm_local", "image_local" and "tts_local" are the
fallbacks used while a Google breaker is open (or a district's budget is spent).
"""

from .environment import VAR_DIR, env

# --- Google (issue 19: Google's SDKs, identity not keys) -------------------------------------------
# Identity: Application Default Credentials (Cloud Run's service account; `gcloud auth
# application-default login` on a laptop). GOOGLE_API_KEY is an explicit developer option for the
# Gemini API (script, images, embeddings) without a GCP project; production refuses it.
# Region: GOOGLE_CLOUD_LOCATION for every Vertex AI call (GEMINI_LOCATION etc. override one
# provider); Cloud TTS uses its "eu"/"us" regional endpoint from GOOGLE_TTS_LOCATION.
# *_ENDPOINT (or GOOGLE_API_ENDPOINT for all) replaces Google's host: tests and emulators only.
GOOGLE_CLOUD_PROJECT = env.str("GOOGLE_CLOUD_PROJECT", default="")
GOOGLE_CLOUD_LOCATION = env.str("GOOGLE_CLOUD_LOCATION", default=env.str("VERTEX_AI_LOCATION", default="us-central1"))
GOOGLE_API_KEY = env.str("GOOGLE_API_KEY", default=env.str("GEMINI_API_KEY", default=""))
_GOOGLE_ENDPOINT = env.str("GOOGLE_API_ENDPOINT", default="")


def _google(prefix: str, **options) -> dict:
    """OPTIONS shared by the Google providers: project, region, developer key, endpoint override."""
    return {"project": GOOGLE_CLOUD_PROJECT,
            "location": env.str(f"{prefix}_LOCATION", default=GOOGLE_CLOUD_LOCATION),
            "api_key": GOOGLE_API_KEY, "endpoint": env.str(f"{prefix}_ENDPOINT", default=_GOOGLE_ENDPOINT),
            **options}


GEMINI = _google("GEMINI", model=env.str("GEMINI_MODEL", default="gemini-2.5-flash"),
                 timeout=env.float("GEMINI_TIMEOUT", default=30.0))
NANO_BANANA = _google("NANO_BANANA", model=env.str("NANO_BANANA_MODEL", default="gemini-2.5-flash-image"),
                      timeout=env.float("NANO_BANANA_TIMEOUT", default=60.0))
VERTEX_EMBEDDINGS = _google("VERTEX_AI", model=env.str("VERTEX_EMBEDDING_MODEL", default="text-embedding-005"),
                            timeout=env.float("VERTEX_AI_TIMEOUT", default=30.0))
GOOGLE_TTS = {  # Cloud TTS has no API-key mode here: ADC only
    "voice": env.str("GOOGLE_TTS_VOICE", default="en-US-Neural2-F"),
    "language_code": env.str("GOOGLE_TTS_LANGUAGE_CODE", default="en-US"),
    "sample_rate": env.int("GOOGLE_TTS_SAMPLE_RATE", default=24000),
    "speaking_rate": env.float("GOOGLE_TTS_SPEAKING_RATE", default=1.0),
    "location": env.str("GOOGLE_TTS_LOCATION", default=""),  # "eu" | "us" | "" (global)
    "endpoint": env.str("GOOGLE_TTS_ENDPOINT", default=_GOOGLE_ENDPOINT),
    "timeout": env.float("GOOGLE_TTS_TIMEOUT", default=20.0),
}

# --- the backends each capability can use ------------------------------------------------------
# Embeddings: local MiniLM on ONNX Runtime by default (no torch in the web process); the model is
# exported from the bundled MiniLM weights into EMBEDDING_MODEL_DIR by `make setup` or on first use
# (never downloaded). int8 by default (EMBEDDINGS_INT8=false for fp32; a different model name, so
# re-ingest). EMBEDDINGS_BACKEND=vertex switches to Vertex AI (768 dims, then `manage.py ingest --reembed`).
EMBEDDING_MODEL_DIR = env.str("EMBEDDING_MODEL_DIR", default=str(VAR_DIR / "models"))
_EMBEDDING_BACKENDS = {
    "local": {"BACKEND": "vividly.providers.onnx_embeddings.OnnxMiniLMEmbeddings",
              "OPTIONS": {"quantized": env.bool("EMBEDDINGS_INT8", default=True),
                          "query_slots": env.int("EMBEDDING_QUERY_SLOTS", default=1),
                          "query_wait_seconds": env.float("EMBEDDING_QUERY_WAIT_SECONDS", default=2.0)}},
    "vertex": {"BACKEND": "vividly.providers.vertex_embeddings.VertexEmbeddings", "OPTIONS": VERTEX_EMBEDDINGS},
}
# Script writer: LLM_PROVIDER=local|gemini.
_LLM_BACKENDS = {
    "local": {"BACKEND": "content.writers.local.LocalLessonWriter"},
    "gemini": {"BACKEND": "vividly.providers.gemini.GeminiLLM", "FALLBACK": "llm_local", "OPTIONS": GEMINI},
}
# Slides (issue 7, content/media): IMAGE_PROVIDER=local|nano_banana.
_IMAGE_BACKENDS = {"local": "content.media.slides.LocalSlideRenderer",
                   "nano_banana": "vividly.providers.nano_banana.NanoBananaImage"}
# Narration (issue 18): TTS_PROVIDER=local (Piper neural voice, the default) | espeak | google. Fallback
# chain, followed while a provider is unavailable or fails: google → tts_local (Piper) → tts_espeak
# (espeak-ng); the voice that spoke is recorded on the lesson (providers["voice"]). espeak-ng runs
# only as a program.
PIPER_VOICE = {
    "model_path": env.str("PIPER_MODEL_PATH", default=""),  # empty: the bundled en_US-joe-medium
    "length_scale": env.float("PIPER_LENGTH_SCALE", default=1.0),  # > 1 speaks slower
    "sentence_pause_ms": env.int("PIPER_SENTENCE_PAUSE_MS", default=450),
    "threads": env.int("PIPER_THREADS", default=1),  # ONNX Runtime threads per sentence
    "parallel": env.int("PIPER_PARALLEL", default=2),  # sentences synthesized at once per process
}
_TTS_BACKENDS = {"local": "content.media.piper.PiperSpeech", "espeak": "content.media.speech.EspeakSpeech",
                 "google": "vividly.providers.google_tts.GoogleTTS"}
_TTS_OPTIONS = {"local": PIPER_VOICE, "google": GOOGLE_TTS,
                "espeak": {"voice": env.str("ESPEAK_VOICE", default="en-us"),
                           "words_per_minute": env.int("ESPEAK_WPM", default=155)}}  # ≈168 wpm with pauses
_TTS = env.str("TTS_PROVIDER", default="local")
_IMAGE = env.str("IMAGE_PROVIDER", default="local")

VIVIDLY_PROVIDERS: dict = {
    "embeddings": _EMBEDDING_BACKENDS[env.str("EMBEDDINGS_BACKEND", default="local")],
    "image_local": {"BACKEND": _IMAGE_BACKENDS["local"]},
    "tts_espeak": {"BACKEND": _TTS_BACKENDS["espeak"], "OPTIONS": _TTS_OPTIONS["espeak"]},
    "tts_local": {"BACKEND": _TTS_BACKENDS["local"], "OPTIONS": _TTS_OPTIONS["local"], "FALLBACK": "tts_espeak"},
    "image": {"BACKEND": _IMAGE_BACKENDS[_IMAGE], "OPTIONS": {"nano_banana": NANO_BANANA}.get(_IMAGE, {}),
              "FALLBACK": "image_local"},
    "tts": {"BACKEND": _TTS_BACKENDS[_TTS], "OPTIONS": _TTS_OPTIONS[_TTS],
            "FALLBACK": {"google": "tts_local", "local": "tts_espeak", "espeak": ""}[_TTS]},
    "llm_local": _LLM_BACKENDS["local"],
    "llm": _LLM_BACKENDS[env.str("LLM_PROVIDER", default="local")],
}

# --- circuit breakers (vividly/providers/breakers.py) and the cost ledger's prices ---------------
BREAKER_NAMESPACE = env.str("BREAKER_NAMESPACE", default="vividly:breaker")
BREAKERS = {
    "default": {"fail_max": env.int("BREAKER_FAIL_MAX", default=5),
                "reset_timeout": env.int("BREAKER_RESET_TIMEOUT", default=60)},
    # searches fall back to pgvector at once while the index is away; look again every 30 s
    "vertex_vector_search": {"fail_max": env.int("VECTOR_SEARCH_BREAKER_FAIL_MAX", default=3),
                             "reset_timeout": env.int("VECTOR_SEARCH_BREAKER_RESET_TIMEOUT", default=30)},
}
# Estimated unit prices in USD for the cost ledger (local providers cost 0).
PROVIDER_UNIT_PRICES = {
    "gemini": {"input_tokens": 0.30 / 1_000_000, "output_tokens": 2.50 / 1_000_000},
    "nano_banana": {"images": 0.039},
    "google_tts": {"characters": 16.0 / 1_000_000},  # Neural2 voices
    "vertex-ai": {"characters": 0.025 / 1_000_000},  # text-embedding-005: $0.000025 per 1,000 characters
}
