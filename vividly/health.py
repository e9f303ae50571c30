"""Liveness and readiness probes for Cloud Run / load balancers."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request):
    """The process is alive and serving requests; checks nothing external."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> None:
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache round-trip returned nothing")


def _check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@require_GET
@never_cache
def readyz(request):
    """200 when the database, cache and broker answer; otherwise 503 naming what failed."""
    results, failed = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; report it
            logger.warning("readiness check failed", extra={"check": name, "error": str(exc)})
            results[name] = "error"
            failed.append(name)
    status = 503 if failed else 200
    return JsonResponse({"status": "ok" if not failed else "unavailable", "checks": results,
                         "failed": failed}, status=status)
