"""The DRF API: authentication, permissions, throttles, the one error handler, JWTs and the schema."""

from datetime import timedelta

from .core import SECRET_KEY
from .environment import env

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
    "EXCEPTION_HANDLER": "vividly.api_errors.exception_handler",  # the one error mapping (issue 16)
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,  # the token view sends user_logged_in (last_login, audit)
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
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
