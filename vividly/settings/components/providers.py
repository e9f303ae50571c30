"""AI providers (embeddings, script writer, slides, speech): local offline defaults, Google in production.

`VIVIDLY_PROVIDERS` is built here and only here: each capability names a BACKEND class, its
OPTIONS and an optional FALLBACK capability (vividly/providers/registry.py). The *_PROVIDER
variables choose a backend without code edits; "llm_local", "image_local" and "tts_local" are the
fallbacks used while a Google breaker is open (or a district's budget is spent).
"""

from .environment import env

# --- Google endpoints and credentials (the *_BASE_URL settings let tests point at local fakes) ----
GOOGLE_CLOUD_PROJECT = env.str("GOOGLE_CLOUD_PROJECT", default="")
VERTEX_AI_BASE_URL = env.str("VERTEX_AI_BASE_URL", default="")
GEMINI = {
    "API_KEY": env.str("GEMINI_API_KEY", default=""),
    "MODEL": env.str("GEMINI_MODEL", default="gemini-2.5-flash"),
    "BASE_URL": env.str("GEMINI_BASE_URL", default="https://generativelanguage.googleapis.com"),
    "TIMEOUT": env.float("GEMINI_TIMEOUT", default=30.0),
}
GOOGLE_TTS = {
    "BASE_URL": env.str("GOOGLE_TTS_BASE_URL", default="https://texttospeech.googleapis.com"),
    "API_KEY": env.str("GOOGLE_TTS_API_KEY", default=""),  # empty: bearer token from ADC
    "VOICE": env.str("GOOGLE_TTS_VOICE", default="en-US-Neural2-F"),
    "LANGUAGE_CODE": env.str("GOOGLE_TTS_LANGUAGE_CODE", default="en-US"),
    "SAMPLE_RATE": env.int("GOOGLE_TTS_SAMPLE_RATE", default=24000),
    "SPEAKING_RATE": env.float("GOOGLE_TTS_SPEAKING_RATE", default=1.0),
    "TIMEOUT": env.float("GOOGLE_TTS_TIMEOUT", default=20.0),
}
NANO_BANANA = {
    "BASE_URL": env.str("NANO_BANANA_BASE_URL", default="https://generativelanguage.googleapis.com"),
    "API_KEY": env.str("NANO_BANANA_API_KEY", default=""),  # empty: bearer token from ADC
    "MODEL": env.str("NANO_BANANA_MODEL", default="gemini-2.5-flash-image"),
    "TIMEOUT": env.float("NANO_BANANA_TIMEOUT", default=60.0),
}

# --- the backends each capability can use ------------------------------------------------------
# Embeddings: local MiniLM on ONNX Runtime by default (no torch in the web process; the model is
# exported from the bundled weights into EMBEDDING_MODEL_DIR by `make setup` or on first use, never
# downloaded; int8 unless EMBEDDINGS_INT8=false, a different model name, so re-ingest).
# EMBEDDINGS_BACKEND=vertex switches to Vertex AI (768 dims, then run `manage.py ingest --reembed`).
_EMBEDDING_BACKENDS = {
    "local": {"BACKEND": "vividly.providers.onnx_embeddings.OnnxMiniLMEmbeddings",
              "OPTIONS": {"quantized": env.bool("EMBEDDINGS_INT8", default=True),
                          "query_slots": env.int("EMBEDDING_QUERY_SLOTS", default=1),
                          "query_wait_seconds": env.float("EMBEDDING_QUERY_WAIT_SECONDS", default=2.0)}},
    "vertex": {"BACKEND": "vividly.providers.vertex_embeddings.VertexEmbeddings",
               "OPTIONS": {"model": env.str("VERTEX_EMBEDDING_MODEL", default="text-embedding-005"),
                           "location": env.str("VERTEX_AI_LOCATION", default="us-central1")}},
}
# Script writer: LLM_PROVIDER=local|gemini.
_LLM_BACKENDS = {
    "local": {"BACKEND": "content.writers.local.LocalLessonWriter"},
    "gemini": {"BACKEND": "vividly.providers.gemini.GeminiLLM", "FALLBACK": "llm_local",
               "OPTIONS": {"api_key": GEMINI["API_KEY"], "model": GEMINI["MODEL"],
                           "base_url": GEMINI["BASE_URL"], "timeout": GEMINI["TIMEOUT"]}},
}
# Slides (issue 7, content/media): IMAGE_PROVIDER=local|nano_banana.
_IMAGE_BACKENDS = {"local": "content.media.slides.LocalSlideRenderer",
                   "nano_banana": "vividly.providers.nano_banana.NanoBananaImage"}
# Narration (issue 18): TTS_PROVIDER=local (Piper neural voice, the default) | espeak | google. Fallback
# chain, followed while a provider is unavailable or fails: google → tts_local (Piper) → tts_espeak
# (espeak-ng); the voice that spoke is recorded on the lesson (providers["voice"]). espeak-ng runs only
# as a program.
PIPER_VOICE = {
    "model_path": env.str("PIPER_MODEL_PATH", default=""),  # empty: the bundled en_US-joe-medium
    "length_scale": env.float("PIPER_LENGTH_SCALE", default=1.0),  # > 1 speaks slower
    "sentence_pause_ms": env.int("PIPER_SENTENCE_PAUSE_MS", default=450),
    "threads": env.int("PIPER_THREADS", default=1),  # ONNX Runtime threads per sentence
    "parallel": env.int("PIPER_PARALLEL", default=2),  # sentences synthesized at once per process
}
_TTS_BACKENDS = {"local": "content.media.piper.PiperSpeech", "espeak": "content.media.speech.EspeakSpeech",
                 "google": "vividly.providers.google_tts.GoogleTTS"}
_TTS_OPTIONS = {"local": PIPER_VOICE, "google": {},
                "espeak": {"voice": env.str("ESPEAK_VOICE", default="en-us"),
                           "words_per_minute": env.int("ESPEAK_WPM", default=155)}}  # ≈168 wpm with pauses
_TTS = env.str("TTS_PROVIDER", default="local")

VIVIDLY_PROVIDERS: dict = {
    "embeddings": _EMBEDDING_BACKENDS[env.str("EMBEDDINGS_BACKEND", default="local")],
    "image_local": {"BACKEND": _IMAGE_BACKENDS["local"]},
    "tts_espeak": {"BACKEND": _TTS_BACKENDS["espeak"], "OPTIONS": _TTS_OPTIONS["espeak"]},
    "tts_local": {"BACKEND": _TTS_BACKENDS["local"], "OPTIONS": _TTS_OPTIONS["local"], "FALLBACK": "tts_espeak"},
    "image": {"BACKEND": _IMAGE_BACKENDS[env.str("IMAGE_PROVIDER", default="local")], "FALLBACK": "image_local"},
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
}
# Estimated unit prices in USD for the cost ledger (local providers cost 0).
PROVIDER_UNIT_PRICES = {
    "gemini": {"input_tokens": 0.30 / 1_000_000, "output_tokens": 2.50 / 1_000_000},
    "nano_banana": {"images": 0.039},
    "google_tts": {"characters": 16.0 / 1_000_000},
}
