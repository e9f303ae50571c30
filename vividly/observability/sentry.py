"""Sentry error and performance reporting, with student privacy first.

`init_sentry(dsn=..., environment=...)` is called from settings only when SENTRY_DSN is set. What
leaves the process: exceptions, breadcrumbs and sampled transactions, tagged with release and
environment. What never leaves: names and e-mail addresses (send_default_pii is off, the scrubber
below removes e-mail addresses anywhere in an event and the current user's own name/e-mail strings,
and PII keys are redacted), tokens in URLs (invitation, reset, unsubscribe, export links:
redaction.py), request bodies, local variables, health-check and 404 noise. User
context is limited to id, role and district id (set by `SentryUserContextMiddleware`).

Importable from settings: nothing here touches django.conf at import time.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
from typing import Any

import sentry_sdk
from django.http import Http404
from django_guid import get_guid
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.redis import RedisIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from .redaction import redact_text

logger = logging.getLogger(__name__)

# Share of requests/tasks traced, per environment (SENTRY_TRACES_SAMPLE_RATE overrides).
TRACES_SAMPLE_RATES = {"development": 1.0, "test": 1.0, "staging": 0.5, "production": 0.1}
# Transactions for these paths are probes/scrapes, never worth a trace.
IGNORED_PATHS = ("/healthz", "/readyz", "/metrics")
PII_KEYS = ["email", "e_mail", "first_name", "last_name", "full_name", "display_name", "username",
            "student_name", "name_of_student", "guardian_email", "parent_email"]
REDACTED = "[Filtered]"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")

# Strings identifying the current user (names, e-mail), set per request by the middleware, so the
# scrubber can remove them wherever careless code put them (exception messages, log breadcrumbs).
_current_pii: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("vividly_pii", default=())


def traces_sample_rate_for(environment: str) -> float:
    """The traces sample rate for an environment name (development 1.0, staging 0.5, production 0.1)."""
    override = os.environ.get("SENTRY_TRACES_SAMPLE_RATE")
    if override:
        return float(override)
    return TRACES_SAMPLE_RATES.get(environment, 0.1)


def default_release() -> str | None:
    """VIVIDLY_RELEASE (set at image build), else what Sentry can infer (git sha, K_REVISION...)."""
    return os.environ.get("VIVIDLY_RELEASE") or sentry_sdk.utils.get_default_release()


def init_sentry(*, dsn: str, environment: str, release: str | None = None,
                traces_sample_rate: float | None = None, debug: bool = False) -> None:
    """Initialise the Sentry SDK with the Django, Celery, Redis and logging integrations."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or default_release(),
        traces_sample_rate=(traces_sample_rate if traces_sample_rate is not None
                            else traces_sample_rate_for(environment)),
        # send_default_pii stays False: its default; passing it explicitly is deprecated in
        # sentry-sdk 2.7x, which then derives the same no-PII `data_collection` policy.
        include_local_variables=False,  # frames' locals would carry users, rosters, answers
        max_request_body_size="never",
        max_breadcrumbs=50,
        attach_stacktrace=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *PII_KEYS], recursive=True),
        before_send=before_send,
        before_send_transaction=before_send_transaction,
        before_breadcrumb=before_breadcrumb,
        integrations=[
            DjangoIntegration(transaction_style="url", middleware_spans=False),
            CeleryIntegration(monitor_beat_tasks=False, propagate_traces=True),
            RedisIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
        debug=debug,
    )


# --- filtering and scrubbing --------------------------------------------------------------------


def _is_not_found(hint: dict | None) -> bool:
    exc_info = (hint or {}).get("exc_info")
    if not exc_info:
        return False

    return isinstance(exc_info[1], Http404)


def _request_path(event: dict) -> str:
    url = (event.get("request") or {}).get("url") or ""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?", 1)[0]
    return path or event.get("transaction") or ""


def _is_ignored_path(event: dict) -> bool:
    path = _request_path(event).rstrip("/") or "/"
    transaction = (event.get("transaction") or "").rstrip("/")
    return path in IGNORED_PATHS or transaction in IGNORED_PATHS


def _status_code(event: dict) -> int | None:
    trace = (event.get("contexts") or {}).get("trace") or {}
    status = (trace.get("data") or {}).get("http.response.status_code")
    if status is None:
        status = (event.get("tags") or {}).get("http.status_code")
    try:
        return int(status) if status is not None else None
    except (TypeError, ValueError):
        return None


def _scrub_string(value: str, terms: tuple[str, ...]) -> str:
    value = EMAIL_RE.sub(REDACTED, redact_text(value))  # URL tokens (event URLs, breadcrumbs) first
    for term in terms:
        if term and term in value:
            value = value.replace(term, REDACTED)
    return value


def scrub(data: Any, terms: tuple[str, ...] = ()) -> Any:
    """Recursively replace e-mail addresses and the given PII strings in every string of `data`."""
    if isinstance(data, str):
        return _scrub_string(data, terms)
    if isinstance(data, dict):
        return {key: scrub(value, terms) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [scrub(value, terms) for value in data]
    return data


def _limit_user(event: dict) -> None:
    user = event.get("user")
    if user:
        event["user"] = {key: user[key] for key in ("id", "role", "district_id") if key in user}


def before_send(event: dict, hint: dict) -> dict | None:
    """Drop 404s; strip PII from every other error event (errors on probe paths are kept)."""
    if _is_not_found(hint):
        return None
    _limit_user(event)
    return scrub(event, _current_pii.get())


def before_send_transaction(event: dict, hint: dict) -> dict | None:
    """Drop health-check, metrics-scrape and 404 transactions; strip PII from the rest."""
    if _is_ignored_path(event) or _status_code(event) == 404:
        return None
    _limit_user(event)
    return scrub(event, _current_pii.get())


def before_breadcrumb(crumb: dict, hint: dict) -> dict | None:
    """Keep breadcrumbs (navigation, SQL, logs, Redis) but without e-mail addresses or names."""
    return scrub(crumb, _current_pii.get())


# --- context ------------------------------------------------------------------------------------


def set_user_context(user) -> None:
    """Attach only id, role and district id of an authenticated user to the current Sentry scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    sentry_sdk.set_user({"id": str(user.pk), "role": getattr(user, "role", None),
                         "district_id": getattr(user, "district_id", None)})
    terms = [getattr(user, "email", ""), getattr(user, "first_name", ""),
             getattr(user, "last_name", "")]
    full_name = " ".join(t for t in terms[1:] if t)
    # Longest first so "Ada Lovelace" is replaced whole before "Ada"; skip 1-2 letter fragments.
    _current_pii.set(tuple(sorted({t for t in [*terms, full_name] if len(t) > 2}, key=len, reverse=True)))


def _tag_request_id(scope=None) -> None:
    """Tag events with the request id (django-guid) so a Sentry issue leads to its log lines."""

    request_id = get_guid()
    if request_id:
        (scope or sentry_sdk.get_isolation_scope()).set_tag("request_id", request_id)


def capture_exception_with_context(exc: BaseException, **context: Any) -> str | None:
    """Report `exc` to Sentry with extra context (scrubbed like any event); returns the event id.

    Example: `capture_exception_with_context(err, lesson_id=lesson.pk, stage="tts", provider="gemini")`.
    Without a configured DSN this only logs the exception.
    """
    logger.warning("captured exception: %s", type(exc).__name__,
                   extra={"context": {k: scrub(str(v)) for k, v in context.items()}})
    with sentry_sdk.new_scope() as scope:
        _tag_request_id(scope)
        scope.set_context("vividly", {key: scrub(value) for key, value in context.items()})
        for key in ("stage", "provider", "task", "lesson_id", "district_id"):
            if key in context:
                scope.set_tag(key, str(context[key]))
        return sentry_sdk.capture_exception(exc)


class SentryUserContextMiddleware:
    """Sets the Sentry user context (id, role, district id) and the request-id tag.

    Session users are known before the view; DRF/JWT users only after DRF authenticated them, so
    the context is also set when the view raises (before Sentry captures) and after the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_pii.set(())
        try:
            _tag_request_id()
            set_user_context(getattr(request, "user", None))
            response = self.get_response(request)
            set_user_context(getattr(request, "user", None))
            return response
        finally:
            _current_pii.reset(token)

    def process_exception(self, request, exception):
        set_user_context(getattr(request, "user", None))
