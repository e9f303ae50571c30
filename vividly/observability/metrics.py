"""Prometheus metrics: `/metrics` (protected), lesson stage durations, Celery outcomes, breakers.

Request counts and latencies come from django-prometheus' middleware. Ours:

- `vividly_lesson_stage_seconds{stage,provider}` — `observe_stage(stage, provider, seconds)`, called
  by lesson generation for each stage (script, images, tts, render, ...).
- `vividly_celery_tasks_total{task,outcome}` (success/failure/retry/revoked) and
  `vividly_celery_task_seconds{task}` — from Celery signals, in whichever process runs the task.
- `vividly_breaker_state{breaker,state}` / `vividly_breaker_failures{breaker}` — read from
  `vividly.providers.breakers.states()` (Redis) at scrape time.

Several processes (gunicorn workers, Celery pool children) share counters when
PROMETHEUS_MULTIPROC_DIR points at a writable, per-container directory that is emptied before the
processes start (gunicorn.conf.py does this); without it each process reports only itself.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time

from celery import signals
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from vividly.client_ip import client_ip
from vividly.providers import breakers

logger = logging.getLogger(__name__)

STAGE_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200)

LESSON_STAGE_SECONDS = Histogram(
    "vividly_lesson_stage_seconds", "Duration of one lesson-generation stage.",
    ["stage", "provider"], buckets=STAGE_BUCKETS)
CELERY_TASKS = Counter(
    "vividly_celery_tasks", "Celery task outcomes.", ["task", "outcome"])
CELERY_TASK_SECONDS = Histogram(
    "vividly_celery_task_seconds", "Celery task run time.", ["task"], buckets=STAGE_BUCKETS)

BREAKER_STATES = ("closed", "open", "half-open")


def observe_stage(stage: str, provider: str, seconds: float) -> None:
    """Record how long one lesson-generation stage took with one provider."""
    LESSON_STAGE_SECONDS.labels(stage=stage, provider=provider or "none").observe(max(seconds, 0.0))


# --- Celery ------------------------------------------------------------------------------------

_task_started: dict[str, float] = {}
_task_started_lock = threading.Lock()


def _task_name(sender, kwargs) -> str:
    """The task's name whatever the signal passes (a Task, or a request naming it)."""
    name = getattr(sender, "name", None) or getattr(kwargs.get("request"), "task", None)
    return str(getattr(name, "name", name) or "unknown")


def _on_prerun(sender=None, task_id=None, **kwargs):
    with _task_started_lock:
        _task_started[task_id] = time.perf_counter()


def _on_postrun(sender=None, task_id=None, **kwargs):
    with _task_started_lock:
        started = _task_started.pop(task_id, None)
    if started is not None:
        CELERY_TASK_SECONDS.labels(task=_task_name(sender, kwargs)).observe(time.perf_counter() - started)


def _outcome(outcome: str):
    def receiver(sender=None, **kwargs):
        CELERY_TASKS.labels(task=_task_name(sender, kwargs), outcome=outcome).inc()
    receiver.__name__ = f"count_{outcome}"
    return receiver


_RECEIVERS = {name: _outcome(name) for name in ("success", "failure", "retry", "revoked")}


def connect_celery_signals() -> None:
    """Count task outcomes and durations (idempotent; called from the app's ready())."""

    signals.task_prerun.connect(_on_prerun, weak=False, dispatch_uid="vividly_metrics_prerun")
    signals.task_postrun.connect(_on_postrun, weak=False, dispatch_uid="vividly_metrics_postrun")
    for outcome, receiver in _RECEIVERS.items():
        getattr(signals, f"task_{outcome}").connect(
            receiver, weak=False, dispatch_uid=f"vividly_metrics_{outcome}")
    signals.worker_ready.connect(_start_worker_exporter, weak=False,
                                 dispatch_uid="vividly_metrics_worker_exporter")
    signals.beat_init.connect(_start_worker_exporter, weak=False,
                              dispatch_uid="vividly_metrics_beat_exporter")


def _start_worker_exporter(**kwargs):
    """Workers and beat have no HTTP server: expose metrics on WORKER_METRICS_PORT when set."""
    port = getattr(settings, "WORKER_METRICS_PORT", 0)
    if port:

        start_http_server(port, addr=getattr(settings, "WORKER_METRICS_ADDR", "127.0.0.1"),
                          registry=collector_registry())
        logger.info("worker metrics exporter listening", extra={"port": port})


# --- breakers (collected at scrape time) -------------------------------------------------------


class BreakerCollector:
    """Reports each provider breaker's state and failure count as gauges."""

    def collect(self):
        state = GaugeMetricFamily("vividly_breaker_state",
                                  "1 for the breaker's current state (closed/open/half-open).",
                                  labels=["breaker", "state"])
        failures = GaugeMetricFamily("vividly_breaker_failures", "Consecutive failures counted.",
                                     labels=["breaker"])
        up = GaugeMetricFamily("vividly_breaker_scrape_ok", "1 when breaker states could be read.")
        try:
            current = breakers.states()
        except Exception:  # a scrape must not fail because Redis is down
            logger.warning("could not read breaker states", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        for name, info in current.items():
            for candidate in BREAKER_STATES:
                state.add_metric([name, candidate], 1.0 if info["state"] == candidate else 0.0)
            failures.add_metric([name], float(info["fail_counter"]))
        up.add_metric([], 1)
        yield from (state, failures, up)


# --- exposition --------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def collector_registry() -> CollectorRegistry:
    """Everything this process should expose: all processes' values in multiprocess mode."""
    path = multiprocess_dir()
    if path:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=path)
    else:
        registry = REGISTRY
    return registry


def render_metrics() -> bytes:
    breaker_registry = CollectorRegistry(auto_describe=False)
    breaker_registry.register(BreakerCollector())
    return generate_latest(collector_registry()) + generate_latest(breaker_registry)


def _client_allowed(request) -> bool:
    """The bearer token, or (outside production, where the list is empty) an allowed client IP."""
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(
            header.removeprefix("Bearer ").strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request) or "")
    except ValueError:
        return False
    for allowed in getattr(settings, "METRICS_ALLOWED_IPS", ()):
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            logger.warning("invalid METRICS_ALLOWED_IPS entry", extra={"entry": allowed})
    return False


@require_GET
@never_cache
def metrics_view(request):
    """Prometheus exposition; 404 when disabled, 403 unless the token matches or the IP is allowed."""
    if not getattr(settings, "METRICS_ENABLED", True):
        raise Http404
    if not _client_allowed(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain")
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
