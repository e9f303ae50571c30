"""Operations: Sentry error reporting, structured JSON logs with request ids, Prometheus metrics.

- `vividly.observability.sentry`: `init_sentry(...)` (called from settings when SENTRY_DSN is set),
  `capture_exception_with_context(exc, **context)`, the PII scrubber and the user-context middleware.
- `vividly.observability.logging`: JSON log formatter/filters and the request-log middleware; the
  request id itself is django-guid's (header `X-Request-ID`, carried into Celery tasks).
- `vividly.observability.metrics`: `/metrics` (protected), `observe_stage(stage, provider, seconds)`,
  Celery task outcome counters and breaker-state gauges.
"""
