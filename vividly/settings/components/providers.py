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
# Embeddings: local MiniLM by default; EMBEDDINGS_BACKEND=vertex switches to Vertex AI (768 dims,
# then run `manage.py ingest --reembed`).
_EMBEDDING_BACKENDS = {
    "local": {"BACKEND": "vividly.providers.local_embeddings.MiniLMEmbeddings", "OPTIONS": {}},
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
# Slides and narration (issue 7, content/media): IMAGE_PROVIDER=local|nano_banana, TTS_PROVIDER=local|google.
_IMAGE_BACKENDS = {"local": "content.media.slides.LocalSlideRenderer",
                   "nano_banana": "vividly.providers.nano_banana.NanoBananaImage"}
_TTS_BACKENDS = {"local": "content.media.speech.EspeakSpeech",
                 "google": "vividly.providers.google_tts.GoogleTTS"}

VIVIDLY_PROVIDERS: dict = {
    "embeddings": _EMBEDDING_BACKENDS[env.str("EMBEDDINGS_BACKEND", default="local")],
    "image_local": {"BACKEND": _IMAGE_BACKENDS["local"]},
    "tts_local": {
        "BACKEND": _TTS_BACKENDS["local"],
        "OPTIONS": {"voice": env.str("ESPEAK_VOICE", default="en-us"),
                    "words_per_minute": env.int("ESPEAK_WPM", default=155)},  # ≈168 wpm with pauses
    },
    "image": {"BACKEND": _IMAGE_BACKENDS[env.str("IMAGE_PROVIDER", default="local")], "FALLBACK": "image_local"},
    "tts": {"BACKEND": _TTS_BACKENDS[env.str("TTS_PROVIDER", default="local")], "FALLBACK": "tts_local"},
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
