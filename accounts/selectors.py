"""Read-side account queries."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from schools.tenancy import Role

from .models import User, UserSession

#: where each role lands after signing in: (URL name tried first, path used otherwise)
ROLE_LANDING = {
    Role.STUDENT: ("student:dashboard", "/student/"),
    Role.TEACHER: ("teacher:dashboard", "/teacher/"),
    Role.SCHOOL_ADMIN: ("admin:index", "/admin/"),
    Role.DISTRICT_ADMIN: ("admin:index", "/admin/"),
}


def landing_url_for(user: User) -> str:
    """The home page of the user's role."""
    name, path = ROLE_LANDING.get(Role.DISTRICT_ADMIN if user.is_superuser else user.role, ("home", "/"))
    try:
        return reverse(name)
    except NoReverseMatch:
        return path


def active_sessions_for(user: User) -> QuerySet[UserSession]:
    """The user's signed-in browser sessions that have not expired, newest activity first."""

    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen_at")


def get_session_for(user: User, pk) -> UserSession:
    """One of the user's own sessions, else 404."""
    try:
        return active_sessions_for(user).get(pk=pk)
    except (UserSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such session.") from exc
