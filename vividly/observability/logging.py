"""Structured JSON logs for Cloud Logging, each line carrying the request id.

The request id is django-guid's correlation id: read from (or generated for) the `X-Request-ID`
header by its middleware, returned in the response, and carried into Celery tasks published during
the request by its Celery integration (settings.DJANGO_GUID). `logging_config()` builds the LOGGING
dict used by settings; every record gets `request_id` (and Celery lineage ids in workers).
"""

from __future__ import annotations

import logging
import time

from .redaction import REQUEST_LOGGERS, redact_path

logger = logging.getLogger("vividly.request")

QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
JSON_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def logging_config(*, level: str = "INFO", json: bool = True) -> dict:
    """The LOGGING dict: JSON lines on stderr with `severity` (Cloud Logging) and `request_id`."""
    formatter = ({"()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_FORMAT,
                  "rename_fields": {"levelname": "severity", "asctime": "time"}}
                 if json else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"})
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # django-guid's correlation id, or None outside a request/task.
            "request_id": {"()": "django_guid.log_filters.CorrelationId",
                           "correlation_id_field": "request_id"},
            "celery_tracing": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
            # invitation/reset/unsubscribe/export tokens out of paths (vividly/observability/redaction.py)
            "url_secrets": {"()": "vividly.observability.redaction.RedactURLSecretsFilter"},
        },
        "formatters": {"json": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                                 "filters": ["request_id", "celery_tracing", "url_secrets"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "django_guid": {"level": "WARNING"},  # it logs every header it sets at INFO
            "vividly.observability": {"level": "INFO"},  # probes and exporter notices
            # the loggers that print request paths: redacted before any handler (or Sentry) sees them
            **{name: {"filters": ["url_secrets"]} for name in REQUEST_LOGGERS},
        },
    }


class RequestLogMiddleware:
    """One structured access-log line per request: method, route, path, status, duration, user id.

    `route` is the URL pattern; `path` has its token segments redacted (redaction.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        # Probes and scrapes are frequent and uninteresting: DEBUG keeps them out of INFO logs.
        level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
        logger.log(
            level,
            "request finished",
            extra={
                "method": request.method,
                "path": redact_path(request.path),
                "route": getattr(match, "route", None),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if getattr(user, "is_authenticated", False) else None,
            },
        )
        return response
