"""Observability overhead: /metrics render time, middleware cost per request, Sentry scrubbing.

    .venv/bin/python bench/ops_observability.py        (dev settings; needs the embedded Redis)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup

django_setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from vividly.observability.metrics import observe_stage, render_metrics  # noqa: E402
from vividly.observability.sentry import scrub  # noqa: E402


def median_ms(func, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    for stage in ("understand", "script", "images", "tts", "captions", "render", "upload"):
        for provider in ("local", "gemini", "espeak", "cloud_tts"):
            observe_stage(stage, provider, 1.0)
    body = render_metrics()
    lines = body.count(b"\n")
    print(f"/metrics body: {len(body) / 1024:.1f} KiB, {lines} lines")
    print(f"/metrics render (incl. breaker states from Redis): {median_ms(render_metrics, 50):.2f} ms median")

    ours = {"django_prometheus.middleware.PrometheusBeforeMiddleware",
            "django_guid.middleware.guid_middleware",
            "vividly.observability.sentry.SentryUserContextMiddleware",
            "vividly.observability.logging.RequestLogMiddleware",
            "django_prometheus.middleware.PrometheusAfterMiddleware"}
    with_obs = Client()
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m not in ours]):
        without = Client()
        without.get("/healthz")
        bare = median_ms(lambda: without.get("/healthz"), 300)
    with_obs.get("/healthz")
    full = median_ms(lambda: with_obs.get("/healthz"), 300)
    print(f"/healthz through the test client: {bare:.3f} ms without, {full:.3f} ms with the "
          f"observability middleware (+{full - bare:.3f} ms)")

    event = {"message": "lesson failed for ada@example.org", "breadcrumbs": {"values": [
        {"message": f"SELECT ... {i} student{i}@school.edu", "category": "query"} for i in range(50)]},
        "extra": {"k": "v" * 200}, "tags": {"stage": "tts"}}
    terms = ("ada.lovelace@example.org", "Ada Lovelace", "Lovelace")
    print(f"Sentry scrub of a 50-breadcrumb event: {median_ms(lambda: scrub(event, terms), 200):.3f} ms median")


if __name__ == "__main__":
    main()
