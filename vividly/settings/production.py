"""Production (Cloud Run): external Postgres/Redis required, hardened HTTP, refuses unsafe config."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DEBUG,
    EXTERNAL_DATABASE,
    EXTERNAL_REDIS,
    METRICS_ENABLED,
    METRICS_TOKEN,
    SECRET_KEY,
    env,
)

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set a real SECRET_KEY (50+ random characters) in production.")
if not (EXTERNAL_DATABASE and EXTERNAL_REDIS):
    raise ImproperlyConfigured("Production needs DATABASE_URL and REDIS_URL; nothing is embedded.")
# The client address decides lockouts, rate limits and audit rows: the hop count must be a decision,
# never a default (1 on the shipped Cloud Run service; docs/operations.md, "Client IP behind Cloud Run").
if env.str("TRUSTED_PROXY_COUNT", default="") == "":
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT (proxies appending to X-Forwarded-For; 1 on Cloud Run).")
# /metrics answers only to its bearer token here: an address allow-list would trust whatever the
# proxy chain (or a forged header) says the client is.
if env.list("METRICS_ALLOWED_IPS", default=[]):
    raise ImproperlyConfigured("METRICS_ALLOWED_IPS is not honoured in production; scrape with METRICS_TOKEN.")
METRICS_ALLOWED_IPS: list[str] = []
if METRICS_ENABLED and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("Set METRICS_TOKEN (32+ random characters) or METRICS_ENABLED=false in production.")

# Google identity, not keys (issue 19): Cloud Run's service account through ADC; API keys are a
# developer option only.
if env.str("GOOGLE_API_KEY", default="") or env.str("GEMINI_API_KEY", default=""):
    raise ImproperlyConfigured("GOOGLE_API_KEY/GEMINI_API_KEY are for development; production uses the "
                               "service account (Application Default Credentials).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
