"""Test settings: the real embedded Postgres and Redis, isolated per test run.

`VIVIDLY_TEST_DB` / `VIVIDLY_TEST_REDIS_DB` let several test runs share one embedded server
without stepping on each other's database, cache, broker queues or rate-limit counters.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, DATABASES, EMBEDDED_REDIS_PORT, build_logging, env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-0123456789"  # noqa: S105 - the test settings' own throw-away key
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",  # + ours: bcrypt within the hashing slots
                    "accounts.hashers.BCryptSHA256PasswordHasher"]
DATABASES["default"]["TEST"] = {"NAME": env.str("VIVIDLY_TEST_DB", default="test_vividly")}
# 0: a fresh connection per request in tests; load drills pass DB_CONN_MAX_AGE=60 to serve as production does.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
_redis_db = env.int("VIVIDLY_TEST_REDIS_DB", default=1)
REDIS_URL = env.str("REDIS_URL", default=f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/{_redis_db}")
CACHES["default"]["LOCATION"] = REDIS_URL
CACHES["template_fragments"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = REDIS_URL
# A test's own Celery worker may send through a real local SMTP server (accounts/tests, issue 6).
EMAIL_BACKEND = env.str("VIVIDLY_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
ACCOUNTS_EMAIL_QUEUE = env.str("VIVIDLY_TEST_EMAIL_QUEUE", default=None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # privacy (issue 5): export ZIPs in a private folder of their own
    "privacy_exports": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": str(BASE_DIR / ".var" / "test-privacy-exports")}},
}
# JSON lines with request_id (scrubbed of student PII), as in production (the real-worker request-id
# test reads them).
LOGGING = build_logging(level="WARNING")
BREAKER_NAMESPACE = f"test{_redis_db}:breaker"
