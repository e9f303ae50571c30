"""Signal receivers: audit log rows and the devices list follow Django's and axes' auth events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from vividly.client_ip import client_ip

from . import services
from .lockout import get_username
from .models import SecurityEvent, User, UserSession

Kind = SecurityEvent.Kind
SEEN_KEY = "_vividly_seen"  # session key: when the devices-list row was last refreshed


def _http_request(request):
    """The Django HttpRequest behind a DRF Request (or the request itself)."""
    return getattr(request, "_request", request)


def track_session(request, user) -> None:
    """Create or refresh the devices-list row for this browser session."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key or session.get("_auth_user_id") != str(user.pk):
        return
    now = timezone.now()
    session[SEEN_KEY] = now.timestamp()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "last_seen_at": now, "ip_address": client_ip(request),
                  "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]},
        create_defaults={"user": user, "created_at": now, "last_seen_at": now,
                         "ip_address": client_ip(request),
                         "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]},
    )


@receiver(user_logged_in, dispatch_uid="accounts.on_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    request = _http_request(request)
    track_session(request, user)
    record = getattr(request, "vividly_login_channel", "page")
    services.record_event(kind=Kind.LOGIN_SUCCESS, request=request, actor=user, target=user,
                          detail={"channel": record})


@receiver(user_logged_out, dispatch_uid="accounts.on_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if request is None or user is None:
        return
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()
    services.record_event(kind=Kind.LOGOUT, request=request, actor=user, target=user)


@receiver(user_login_failed, dispatch_uid="accounts.on_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    request = _http_request(request) if request is not None else None
    identifier = get_username(request, credentials) or ""
    target = User.objects.filter(email__iexact=identifier).first() if identifier else None
    services.record_event(kind=Kind.LOGIN_FAILURE, request=request, target=target,
                          target_identifier=identifier,
                          detail={"locked": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="accounts.on_locked_out")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    target = User.objects.filter(email__iexact=username).first() if username else None
    services.record_event(kind=Kind.LOCKOUT, request=_http_request(request) if request else None,
                          target=target, target_identifier=username or "",
                          detail={"ip_blocked": bool(getattr(request, "vividly_ip_blocked", False))})
