"""django-axes configuration hooks: account+IP lockout, a per-IP stuffing block, clear responses.

Axes does the recording and locking (database handler, so lockouts never depend on Redis).
We add three small pieces:
- `get_username`: one normalised key (lower-cased email) for the login page and the JWT endpoint;
- `VividlyAxesHandler`: also locks an IP that failed `AXES_IP_FAILURE_LIMIT` times across any
  accounts in the cool-off window (credential stuffing), and lets the attempt that *reaches* the
  limit answer as an ordinary failure — the next one is refused (5th failure allowed, 6th locked);
- `lockout_response`: JSON (API) or a friendly page (HTML), both 429 with `Retry-After`.
"""

from __future__ import annotations

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone


def get_username(request, credentials: dict | None) -> str | None:
    """The account key axes counts failures under: the email, stripped and lower-cased."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        try:
            value = data.get("username") or data.get("email")
        except AttributeError:
            value = None
    if not isinstance(value, str):
        return None
    return value.strip().lower()[:255] or None


def ip_failures(ip_address: str | None) -> int:
    """Failures from one IP, across all accounts, within the cool-off window."""
    if not ip_address:
        return 0
    threshold = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=threshold).aggregate(
        total=Sum("failures_since_start"))["total"]
    return total or 0


class VividlyAxesHandler(AxesDatabaseHandler):
    """Axes' database handler plus a per-IP ceiling, reported on the same failure scale."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        account_failures = super().get_failures(request, credentials)
        if ip_failures(getattr(request, "axes_ip_address", None)) >= settings.AXES_IP_FAILURE_LIMIT:
            request.vividly_ip_blocked = True
            return max(account_failures, settings.AXES_FAILURE_LIMIT)
        return account_failures

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        already_locked = bool(getattr(request, "axes_locked_out", False))
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not already_locked and getattr(request, "axes_locked_out", False):
            # This failure reached the limit: answer it as a normal failure (with a warning);
            # every later attempt in the window is refused before the password is checked.
            request.axes_locked_out = False
            request.vividly_now_locked = True


def retry_after_seconds(request) -> int:
    """Seconds left until the lock lifts: the cool-off measured from the newest failure."""
    cool_off = get_cool_off(request)
    ip = getattr(request, "axes_ip_address", None)
    latest = (AccessAttempt.objects.filter(ip_address=ip).order_by("-attempt_time")
              .values_list("attempt_time", flat=True).first()) if ip else None
    if latest is None:
        return int(cool_off.total_seconds())
    remaining = (latest + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(remaining))


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After; JSON for the API, the lockout page for browsers."""
    wait = retry_after_seconds(request)
    minutes = max(1, math.ceil(wait / 60))
    ip_blocked = bool(getattr(request, "vividly_ip_blocked", False))
    message = (f"Too many failed sign-in attempts from this network. Try again in {minutes} minute"
               f"{'s' if minutes != 1 else ''}." if ip_blocked else
               f"Too many failed sign-in attempts for this account. Try again in {minutes} minute"
               f"{'s' if minutes != 1 else ''}, or reset your password.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out", "retry_after": wait}, status=429)
    else:
        response = render(request, "accounts/locked_out.html",
                          {"message": message, "minutes": minutes, "retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
