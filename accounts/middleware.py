"""Session tracking for the devices page, and 429 responses for rate-limited requests."""

from __future__ import annotations

import logging
import time

from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.exceptions import Ratelimited

from vividly.observability.redaction import redact_path

from .ratelimits import RateLimitExceeded
from .signals import SEEN_KEY, track_session

logger = logging.getLogger(__name__)

SEEN_EVERY_SECONDS = 300


class UserSessionMiddleware:
    """Keep "last seen" of the current browser session fresh (at most one write per 5 minutes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (user is not None and user.is_authenticated and session is not None and session.session_key
                and not getattr(request, "vividly_session_revoked", False)):
            now = time.time()
            if now - session.get(SEEN_KEY, 0) > SEEN_EVERY_SECONDS:
                track_session(request, user)
        return response


class RatelimitMiddleware:
    """Map `Ratelimited` to 429 + Retry-After: JSON under /api/, a friendly page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Ratelimited):
            return None
        retry_after = getattr(exception, "retry_after", 60) if isinstance(exception, RateLimitExceeded) else 60
        logger.warning("rate limited", extra={"path": redact_path(request.path)})
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": "Too many requests. Please slow down.",
                                     "code": "rate_limited", "retry_after": retry_after}, status=429)
        else:
            minutes = max(1, round(retry_after / 60))
            response = render(request, "accounts/ratelimited.html",
                              {"retry_after": retry_after, "minutes": minutes}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
