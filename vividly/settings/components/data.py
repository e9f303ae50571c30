"""PostgreSQL, the Redis cache and sessions."""

from .environment import EMBEDDED_POSTGRES_PORT, EMBEDDED_REDIS_PORT, env

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"postgres://vividly@127.0.0.1:{EMBEDDED_POSTGRES_PORT}/vividly",
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5

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
# {% cache %} fragments (shared, never per-user content; templates say what each one varies on). Same
# Redis, but a cache error is a miss: a page never fails because Redis is down.
CACHES["template_fragments"] = {**CACHES["default"], "KEY_PREFIX": "vividly-fragments",
                                "OPTIONS": {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": True}}
LESSON_FRAGMENT_SECONDS = env.int("LESSON_FRAGMENT_SECONDS", default=3600)
# Sessions: read from Redis, written through to PostgreSQL (one query fewer on every page; Redis down:
# the database answers). A cache entry lives at most SESSION_CACHE_SECONDS (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=600)
