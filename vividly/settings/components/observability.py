"""Observability (issue 4: vividly/observability, docs/operations.md): logs, Sentry, request ids, metrics."""

from pathlib import Path

from django_guid.integrations import CeleryIntegration

from vividly.observability.logging import logging_config

from .core import ENVIRONMENT
from .environment import env


def build_logging(*, level: str, json: bool = True) -> dict:
    """JSON lines with severity and request_id (vividly/observability/logging.py), scrubbed of the
    student names and emails a request registered (privacy, issue 5)."""
    config = logging_config(level=level, json=json)
    config["filters"]["pii"] = {"()": "accounts.privacy.logging.PIIScrubFilter"}
    config["handlers"]["console"]["filters"].append("pii")
    return config


LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# JSON lines for Cloud Logging; LOG_JSON=false gives plain lines for people reading a terminal.
LOGGING = build_logging(level=LOG_LEVEL, json=env.bool("LOG_JSON", default=True))

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
