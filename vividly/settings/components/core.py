"""Django core: identity, hosts, installed apps, middleware and templates."""

from .environment import BASE_DIR, env

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

# Our apps, lowest layer first (README, "Architecture"; the import-linter contract in pyproject.toml).
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
    "teaching",
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
    "vividly.providers.residency.ResidencyMiddleware",  # issue 19: the user's district's AI data residency
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
