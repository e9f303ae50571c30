"""Settings shared by every environment. All environment access happens here, via django-environ.

Sections: paths & env · core · apps · database · cache & celery · auth · API · static/media ·
providers · logging. Environment-specific modules (local, production, test) only override.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django_guid.integrations import CeleryIntegration

from vividly.observability.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / ".var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Embedded dev services (see vividly/devservices.py) listen on these fixed loopback ports.
DEFAULT_EMBEDDED_POSTGRES_PORT, DEFAULT_EMBEDDED_REDIS_PORT = 55432, 56379
EMBEDDED_POSTGRES_PORT = env.int("EMBEDDED_POSTGRES_PORT", default=DEFAULT_EMBEDDED_POSTGRES_PORT)
EMBEDDED_REDIS_PORT = env.int("EMBEDDED_REDIS_PORT", default=DEFAULT_EMBEDDED_REDIS_PORT)
# True when the operator points us at real services; devservices then starts nothing.
EXTERNAL_DATABASE = bool(env.str("DATABASE_URL", default=""))
EXTERNAL_REDIS = bool(env.str("REDIS_URL", default=""))

# --- core -------------------------------------------------------------------------------------
ENVIRONMENT = env.str("VIVIDLY_ENV", default="development")
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-dev-only-change-me")
# Proxies in front of Django that append to X-Forwarded-For: 0 locally (the header is ignored); 1 for
# the shipped Cloud Run service (terraform/run.tf); 2 behind an external Application Load Balancer.
# vividly/client_ip.py reads it; production refuses to start without it (docs/operations.md).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
ROOT_URLCONF = "vividly.urls"
WSGI_APPLICATION = "vividly.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- apps -------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "django_celery_results",
    "django_celery_beat",
    "import_export",
    "waffle",
    "django_htmx",
    "vividly",
    "accounts",
    "schools",
    "content",
    "flags",
    "ingestion",
    # observability (issue 4)
    "django_prometheus",
    "django_guid",
    "vividly.observability",
    # accounts & security (issue 6)
    "axes",
    "csp",
]

MIDDLEWARE = [
    "vividly.middleware.TrustedProxyMiddleware",  # real client IP for lockouts, limits and audit rows
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # observability (issue 4): first
    "django_guid.middleware.guid_middleware",  # request id (X-Request-ID) for logs and tasks
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "waffle.middleware.WaffleMiddleware",
    # accounts & security (issue 6): CSP header, devices list, 429 pages; axes maps lockouts to 429
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.UserSessionMiddleware",
    "accounts.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
    # observability (issue 4): Sentry user context (id/role/district only), access log, metrics last
    "vividly.observability.sentry.SentryUserContextMiddleware",
    "vividly.observability.logging.RequestLogMiddleware",
    "vividly.observability.redaction.TokenPageHeadersMiddleware",  # token URLs: no Referer, no cache
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"postgres://vividly@127.0.0.1:{EMBEDDED_POSTGRES_PORT}/vividly",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5

# --- cache, redis, celery ---------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default=f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "vividly",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = "django-db"
# Not extended: results keep status and return value only, never the task's arguments (e-mail tasks
# carry addresses and invitation/reset links, which must not sit in a table or a backup).
CELERY_RESULT_EXTENDED = False
CELERY_CACHE_BACKEND = "default"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="default")
CELERY_TASK_ALWAYS_EAGER = False

# --- auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
PASSWORD_HASHERS = [
    "accounts.hashers.BCryptSHA256PasswordHasher",  # bcrypt, 12 rounds; others upgrade on login
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.VividlyJWTAuthentication",  # simplejwt + revocation (issue 6)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "DEFAULT_THROTTLE_CLASSES": ["accounts.ratelimits.APIRateThrottle"],  # issue 6: VIVIDLY_RATE_LIMITS
    "PAGE_SIZE": 50,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
}
# /api/schema/ and /api/docs/: staff only unless API_DOCS_PUBLIC (always off in production).
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Vividly API",
    "DESCRIPTION": "Personalized, captioned video lessons from open textbooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["vividly.api_docs.CanReadAPIDocs"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Lesson media: local files by default; a GCS bucket (served through Cloud CDN) when GS_BUCKET_NAME is set.
GS_BUCKET_NAME = env.str("GS_BUCKET_NAME", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if GS_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
        "OPTIONS": {"bucket_name": GS_BUCKET_NAME, "querystring_auth": False,
                    "custom_endpoint": env.str("MEDIA_CDN_BASE_URL", default="") or None,
                    "file_overwrite": True},
    }

# --- mail -------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Vividly <no-reply@vividly.local>")

# --- OER corpus -------------------------------------------------------------------------------
OER_SOURCE_DIR = Path(env.str("OER_SOURCE_DIR", default=str(BASE_DIR.parent / "shared" / "oer" / "openstax")))

# --- Vividly feature settings -----------------------------------------------------------------
# Operator kill switch: off stops all new lesson generation whatever the `video_generation` flag says.
VIDEO_GENERATION_ENABLED = env.bool("VIDEO_GENERATION_ENABLED", default=True)

# --- feature flags (flags app, issue 3) -------------------------------------------------------
# waffle's `{% flag %}` tag and `waffle.flag_is_active` answer through flags.evaluation.
WAFFLE_FLAG_MODEL = "flags.Flag"
WAFFLE_CREATE_MISSING_FLAGS = False

# --- logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# JSON lines with severity and request_id (vividly/observability/logging.py).
# JSON lines for Cloud Logging; LOG_JSON=false gives plain lines for people reading a terminal.
LOGGING = logging_config(level=LOG_LEVEL, json=env.bool("LOG_JSON", default=True))

# --- providers (local offline defaults; Google in production) --------------------------------
# Each capability names a BACKEND class and its OPTIONS; see vividly/providers/registry.py.
VIVIDLY_PROVIDERS: dict = {}
BREAKER_NAMESPACE = env.str("BREAKER_NAMESPACE", default="vividly:breaker")
BREAKERS = {
    "default": {"fail_max": env.int("BREAKER_FAIL_MAX", default=5),
                "reset_timeout": env.int("BREAKER_RESET_TIMEOUT", default=60)},
}

# --- ingestion & retrieval (issue 10) ----------------------------------------------------------
# Embeddings: local MiniLM on ONNX Runtime by default (configured with the corpus settings at the end);
# EMBEDDINGS_BACKEND=vertex switches to Vertex AI (768 dims, then run `manage.py ingest --reembed`).
# VERTEX_AI_BASE_URL lets tests point at a local fake.
VERTEX_AI_BASE_URL = env.str("VERTEX_AI_BASE_URL", default="")
GOOGLE_CLOUD_PROJECT = env.str("GOOGLE_CLOUD_PROJECT", default="")
_EMBEDDING_BACKENDS = {
    "vertex": {"BACKEND": "vividly.providers.vertex_embeddings.VertexEmbeddings",
               "OPTIONS": {"model": env.str("VERTEX_EMBEDDING_MODEL", default="text-embedding-005"),
                           "location": env.str("VERTEX_AI_LOCATION", default="us-central1")}},
}
OER_CACHE_DIR = Path(env.str("OER_CACHE_DIR", default=str(BASE_DIR / ".var" / "oer-cache")))
OER_ARCHIVE_MAX_BYTES = env.int("OER_ARCHIVE_MAX_BYTES", default=200 * 1024 * 1024)  # download size cap
OER_EXTRACT_MAX_BYTES = env.int("OER_EXTRACT_MAX_BYTES", default=500 * 1024 * 1024)  # zip-bomb cap
OER_EXTRACT_MAX_RATIO = env.int("OER_EXTRACT_MAX_RATIO", default=200)  # per-member compression ratio cap

# --- observability (issue 4: vividly/observability, docs/operations.md) ----------------------
# Sentry only when SENTRY_DSN is set; traces sampled 1.0/0.5/0.1 in development/staging/production
# (SENTRY_TRACES_SAMPLE_RATE overrides); release from VIVIDLY_RELEASE, else the git sha.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
VIVIDLY_RELEASE = env.str("VIVIDLY_RELEASE", default="")
if SENTRY_DSN:
    from vividly.observability.sentry import init_sentry

    init_sentry(dsn=SENTRY_DSN, environment=ENVIRONMENT, release=VIVIDLY_RELEASE or None)
# Request id: django-guid reads/returns X-Request-ID and carries it into Celery tasks; its Celery
# integration also makes workers log with this LOGGING config (JSON) instead of Celery's own.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
# /metrics: allowed with `Authorization: Bearer $METRICS_TOKEN` or from METRICS_ALLOWED_IPS (CIDRs
# allowed; the client address of vividly/client_ip.py). Production honours only the token (and
# refuses to start without one unless METRICS_ENABLED=false). Multi-process: PROMETHEUS_MULTIPROC_DIR.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)  # false: /metrics answers 404
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)  # 0: workers expose no port
WORKER_METRICS_ADDR = env.str("WORKER_METRICS_ADDR", default="127.0.0.1")
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
if PROMETHEUS_MULTIPROC_DIR:  # prometheus_client writes its per-process files here; it must exist
    Path(PROMETHEUS_MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)

# --- media layer (issue 7: content/media — slides, narration, compose, delivery) -------------
# IMAGE_PROVIDER=local|nano_banana chooses the image provider without code edits; "image_local" is
# the fallback used while the Google breaker is open.
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
_IMAGE_BACKENDS = {"local": "content.media.slides.LocalSlideRenderer",
                   "nano_banana": "vividly.providers.nano_banana.NanoBananaImage"}
VIVIDLY_PROVIDERS["image_local"] = {"BACKEND": _IMAGE_BACKENDS["local"]}
VIVIDLY_PROVIDERS["image"] = {"BACKEND": _IMAGE_BACKENDS[env.str("IMAGE_PROVIDER", default="local")],
                              "FALLBACK": "image_local"}
# The narration providers ("tts", "tts_local", "tts_espeak") are set in the issue 18 block at the end.
# Local media with HTTP Range under /media/ (off by default in production, where GCS serves it).
MEDIA_SERVE_LOCAL = env.bool("MEDIA_SERVE_LOCAL", default=ENVIRONMENT != "production")
# Optional CDN in front of the bucket; Cloud CDN signed URLs when a key name and key are set.
MEDIA_CDN_BASE_URL = env.str("MEDIA_CDN_BASE_URL", default="")
MEDIA_CDN_SIGNING_KEY_NAME = env.str("MEDIA_CDN_SIGNING_KEY_NAME", default="")
MEDIA_CDN_SIGNING_KEY = env.str("MEDIA_CDN_SIGNING_KEY", default="")  # base64url, from gcloud
MEDIA_CDN_URL_TTL = env.int("MEDIA_CDN_URL_TTL", default=6 * 3600)

# --- spreadsheet exports (issue 15) ----------------------------------------------------------
# django-import-export's own guard (strips one leading "="); RosterResource also escapes every
# cell with vividly.spreadsheets.escape_cell, as every hand-written CSV writer does.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

# --- accounts & security (issue 6: accounts/, docs in accounts/*.py docstrings) ----------------
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # axes: refuses locked-out account+IP pairs before checking
    "django.contrib.auth.backends.ModelBackend",
]
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # cap for unremembered sessions
SESSION_REMEMBER_ME_SECONDS = env.int("SESSION_REMEMBER_ME_SECONDS", default=14 * 24 * 3600)
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
# Lockout (django-axes, database handler: lockouts survive a Redis outage). 5 failures for one
# account from one IP lock that pair for the cool-off; an IP failing AXES_IP_FAILURE_LIMIT times
# across accounts (credential stuffing) is blocked for the cool-off too (accounts/lockout.py).
AXES_VERBOSE = False  # no startup banner in every manage.py command
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.VividlyAxesHandler"
AXES_CLIENT_IP_CALLABLE = "vividly.client_ip.client_ip"  # the one client-IP function (proxy-aware)
AXES_USERNAME_CALLABLE = "accounts.lockout.get_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock lasts the window, not longer
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every attempt recorded
AXES_ENABLE_ADMIN = False  # accounts/admin.py registers district-scoped lockout admins instead
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "new_password1", "new_password2"]
# Rate limits (django-ratelimit counters in the shared Redis cache; fail open if Redis is down).
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
VIVIDLY_RATE_LIMITS = {
    "auth_ip": env.str("RATE_LIMIT_AUTH_IP", default="300/15m"),
    "api_user_minute": env.str("RATE_LIMIT_API_MINUTE", default="60/m"),
    "api_user_hour": env.str("RATE_LIMIT_API_HOUR", default="1000/h"),
    "lesson_request": env.str("RATE_LIMIT_LESSON", default="10/h"),
    "lesson_regenerate": env.str("RATE_LIMIT_REGENERATE", default="5/h"),
}
# Content Security Policy (django-csp 4): same-origin only. htmx and Plyr are served from /static/;
# Plyr plays media from our origin or blob: URLs. Inline <script>/<style> need {{ request.csp_nonce }}.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
SIMPLE_JWT["AUTH_HEADER_TYPES"] = ("Bearer",)
SIMPLE_JWT["UPDATE_LAST_LOGIN"] = False  # the token view sends user_logged_in (last_login, audit)
ACCOUNTS_EMAIL_QUEUE = env.str("ACCOUNTS_EMAIL_QUEUE", default=None)  # None: the default queue

# --- lesson generation (issue 7: content pipeline, writers, cost ledger) ------------------------
# LLM_PROVIDER=local|gemini picks the script writer; while the "gemini" breaker is open (or the
# district budget is spent) the local writer is used and recorded. GEMINI_BASE_URL lets tests
# point at a local fake server.
GEMINI = {
    "API_KEY": env.str("GEMINI_API_KEY", default=""),
    "MODEL": env.str("GEMINI_MODEL", default="gemini-2.5-flash"),
    "BASE_URL": env.str("GEMINI_BASE_URL", default="https://generativelanguage.googleapis.com"),
    "TIMEOUT": env.float("GEMINI_TIMEOUT", default=30.0),
}
_LLM_BACKENDS = {
    "local": {"BACKEND": "content.writers.local.LocalLessonWriter"},
    "gemini": {"BACKEND": "vividly.providers.gemini.GeminiLLM", "FALLBACK": "llm_local",
               "OPTIONS": {"api_key": GEMINI["API_KEY"], "model": GEMINI["MODEL"],
                           "base_url": GEMINI["BASE_URL"], "timeout": GEMINI["TIMEOUT"]}},
}
VIVIDLY_PROVIDERS["llm_local"] = _LLM_BACKENDS["local"]
VIVIDLY_PROVIDERS["llm"] = _LLM_BACKENDS[env.str("LLM_PROVIDER", default="local")]
# Estimated unit prices in USD for the cost ledger (local providers cost 0).
PROVIDER_UNIT_PRICES = {
    "gemini": {"input_tokens": 0.30 / 1_000_000, "output_tokens": 2.50 / 1_000_000},
    "nano_banana": {"images": 0.039},
    "google_tts": {"characters": 16.0 / 1_000_000},
}
LESSON_GENERATION_QUEUE = env.str("LESSON_GENERATION_QUEUE", default="generation")
LESSON_GENERATOR_VERSION = "local-writer-3"  # answer-first writer with slide keys (issue 18)
LESSON_WORK_DIR = Path(env.str("LESSON_WORK_DIR", default=str(VAR_DIR / "lesson-work")))
LESSON_CONFIDENCE_THRESHOLD = env.float("LESSON_CONFIDENCE_THRESHOLD", default=0.45)
LESSON_OFF_TOPIC_THRESHOLD = env.float("LESSON_OFF_TOPIC_THRESHOLD", default=0.25)
LESSON_STUCK_AFTER_SECONDS = env.int("LESSON_STUCK_AFTER_SECONDS", default=300)
LESSON_MAX_RESUMES = env.int("LESSON_MAX_RESUMES", default=3)
BUDGET_ALERT_THRESHOLDS = (50, 75, 90, 100)
CELERY_BEAT_SCHEDULE = {
    **globals().get("CELERY_BEAT_SCHEDULE", {}),
    "content-sweep-stuck-lessons": {"task": "content.sweep_stuck_lessons", "schedule": 60.0},
}

# --- student privacy (issue 5: accounts/privacy, docs/privacy.md) ------------------------------
# Retention schedule: days each kind of record is kept (districts may shorten it in the admin,
# DistrictPrivacySettings.retention_overrides). Enforced by the beat tasks below, which record a
# RetentionRun with what they purged. "progress" counts from the district's contract end date.
RETENTION_SCHEDULE = {
    "lesson_requests": {"days": 90, "what": "Lesson requests incl. the question typed (and their notifications)"},
    "progress": {"days": 30, "after": "contract_end",
                 "what": "Watch progress, quiz answers, re-quizzes, problem reports: contract end + 30 days"},
    "progress_events": {"days": 365, "what": "Raw player events"},
    "notifications": {"days": 180, "what": "In-app notifications"},
    "safety_events": {"days": 365, "what": "Safety events and their moderation reviews"},
    "access_audit": {"days": 3 * 365, "what": "Staff access to student data (StudentDataAccess)"},
    "security_audit": {"days": 7 * 365, "what": "Security audit log (SecurityEvent)"},
    "login_attempts": {"days": 90, "what": "Lockout records and failed-login log"},
    "accepted_invitations": {"days": 90, "what": "Accepted invitations"},
    "invitation_tokens": {"days": 0, "every": "hour", "what": "Expired or revoked invitations (tokens)"},
    "sessions": {"days": 0, "every": "hour", "what": "Expired sessions"},
    "data_exports": {"days": 7, "every": "hour", "what": "Export ZIPs (links expire sooner)"},
    "deleted_accounts": {"days": 30, "what": "Soft-deleted students, then erased for good"},
}
PRIVACY_DELETION_GRACE_DAYS = RETENTION_SCHEDULE["deleted_accounts"]["days"]
PRIVACY_EXPORT_LINK_TTL = env.int("PRIVACY_EXPORT_LINK_TTL", default=48 * 3600)
# Export ZIPs live in their own private storage (never under MEDIA_ROOT, never publicly served).
STORAGES["privacy_exports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(env.path("PRIVACY_EXPORT_DIR", default=str(VAR_DIR / "privacy-exports")))},
}
LOGGING["filters"]["pii"] = {"()": "accounts.privacy.logging.PIIScrubFilter"}
LOGGING["handlers"]["console"]["filters"].append("pii")
CELERY_BEAT_SCHEDULE.update({
    "privacy-purge-hourly": {"task": "accounts.privacy.purge_hourly", "schedule": 3600.0},
    "privacy-purge-daily": {"task": "accounts.privacy.purge_daily", "schedule": 24 * 3600.0},
    "privacy-erase-deleted-students": {"task": "accounts.privacy.erase_due_students", "schedule": 24 * 3600.0},
})
CELERY_TASK_ROUTES = {**globals().get("CELERY_TASK_ROUTES", {}), "ingestion.*": {"queue": "ingestion"}}

# --- student experience (issue 8) -------------------------------------------------------------
# Re-quiz a few days after the first quiz (retention check, scored apart); released hourly by beat.
VIVIDLY_REQUIZ_AFTER_DAYS = env.int("VIVIDLY_REQUIZ_AFTER_DAYS", default=3)
CELERY_IMPORTS = (*globals().get("CELERY_IMPORTS", ()), "content.student_tasks")
CELERY_BEAT_SCHEDULE["content-release-due-requizzes"] = {"task": "content.release_due_requizzes",
                                                         "schedule": 3600.0}

# --- neural narration and teaching slides (issue 18) ------------------------------------------
# TTS_PROVIDER=local (Piper neural voice, the default) | espeak | google. Fallback chain, followed
# while a provider is unavailable or fails: google → tts_local (Piper) → tts_espeak (espeak-ng); the
# voice that spoke is recorded on the lesson (providers["voice"]). espeak-ng runs only as a program.
PIPER_VOICE = {
    "model_path": env.str("PIPER_MODEL_PATH", default=""),  # empty: the bundled en_US-joe-medium
    "length_scale": env.float("PIPER_LENGTH_SCALE", default=1.0),  # > 1 speaks slower
    "sentence_pause_ms": env.int("PIPER_SENTENCE_PAUSE_MS", default=450),
    "threads": env.int("PIPER_THREADS", default=1),  # ONNX Runtime threads per sentence
    "parallel": env.int("PIPER_PARALLEL", default=2),  # sentences synthesized at once per process
}
# Scenes in flight at once per lesson job (phonemized, then queued for the voice's sentence pool);
# scene 1 is queued first, so its sentences get the whole pool and "Vivid Now" can play it early.
LESSON_NARRATION_WORKERS = env.int("LESSON_NARRATION_WORKERS", default=2)
_TTS_BACKENDS = {"local": "content.media.piper.PiperSpeech", "espeak": "content.media.speech.EspeakSpeech",
                 "google": "vividly.providers.google_tts.GoogleTTS"}
_TTS_OPTIONS = {"local": PIPER_VOICE, "google": {},
                "espeak": {"voice": env.str("ESPEAK_VOICE", default="en-us"),
                           "words_per_minute": env.int("ESPEAK_WPM", default=155)}}  # ≈168 wpm with pauses
VIVIDLY_PROVIDERS["tts_espeak"] = {"BACKEND": _TTS_BACKENDS["espeak"], "OPTIONS": _TTS_OPTIONS["espeak"]}
VIVIDLY_PROVIDERS["tts_local"] = {"BACKEND": _TTS_BACKENDS["local"], "OPTIONS": _TTS_OPTIONS["local"],
                                  "FALLBACK": "tts_espeak"}
_tts = env.str("TTS_PROVIDER", default="local")
VIVIDLY_PROVIDERS["tts"] = {"BACKEND": _TTS_BACKENDS[_tts], "OPTIONS": _TTS_OPTIONS[_tts],
                            "FALLBACK": {"google": "tts_local", "local": "tts_espeak", "espeak": ""}[_tts]}

# --- corpus and search (issues 17 and 18) ------------------------------------------------------
# Local embeddings run on ONNX Runtime (no torch in the web process); the model is exported from
# the bundled MiniLM weights into EMBEDDING_MODEL_DIR by `make setup` or on first use (never
# downloaded). int8 by default (EMBEDDINGS_INT8=false for fp32; a different model name, so re-ingest).
EMBEDDING_MODEL_DIR = env.str("EMBEDDING_MODEL_DIR", default=str(VAR_DIR / "models"))
# The saved BM25 index of the active chunks (rebuilt from the database when missing).
SEARCH_INDEX_DIR = env.str("SEARCH_INDEX_DIR", default=str(VAR_DIR / "search"))
_EMBEDDING_BACKENDS["local"] = {
    "BACKEND": "vividly.providers.onnx_embeddings.OnnxMiniLMEmbeddings",
    "OPTIONS": {"quantized": env.bool("EMBEDDINGS_INT8", default=True),
                "query_slots": env.int("EMBEDDING_QUERY_SLOTS", default=1),
                "query_wait_seconds": env.float("EMBEDDING_QUERY_WAIT_SECONDS", default=2.0)},
}
VIVIDLY_PROVIDERS["embeddings"] = _EMBEDDING_BACKENDS[env.str("EMBEDDINGS_BACKEND", default="local")]

# --- pages stay fast under load (issue 17: accounts/hashing.py, content/caching.py) ------------
# Sign-in storms: at most this many bcrypt hashes at once per process (gunicorn 3 processes → 3 on
# the host); the rest queue. A waiter hashes anyway after PASSWORD_HASH_WAIT_SECONDS (never locked out).
PASSWORD_HASH_CONCURRENCY = env.int("PASSWORD_HASH_CONCURRENCY", default=1)
PASSWORD_HASH_WAIT_SECONDS = env.float("PASSWORD_HASH_WAIT_SECONDS", default=10.0)
# Shared catalogue data (subjects, book and chapter pages) in the Redis cache under a version that
# any catalogue write or ingest run bumps; the TTL only bounds a bump lost while Redis was down.
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=3600)
