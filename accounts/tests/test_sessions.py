"""Devices and sessions: listing, sign out one, sign out everywhere (sessions + JWT), admin revoke."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from accounts.models import SecurityEvent, UserSession
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

SESSIONS = "/accounts/sessions/"


def browser(user, agent, ip="203.0.113.5"):
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    assert client.post("/accounts/login/", {"username": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    return client


def api_pair(user):
    return APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD},
                            format="json").json()


def test_sessions_page_lists_each_signed_in_browser(tenant_a):
    laptop = browser(tenant_a.student, "Firefox on Linux", "203.0.113.5")
    browser(tenant_a.student, "Safari on iPad", "198.51.100.9")
    browser(tenant_a.teacher, "Edge on Windows")  # someone else's session is never listed
    page = laptop.get(SESSIONS).content.decode()
    assert "Firefox on Linux" in page
    assert "(this device)" in page
    assert "Safari on iPad" in page
    assert "198.51.100.9" in page
    assert "Edge on Windows" not in page


def test_sign_out_this_one_ends_only_that_browser(tenant_a):
    laptop = browser(tenant_a.student, "Laptop")
    tablet = browser(tenant_a.student, "Tablet")
    tablet_session = UserSession.objects.get(user=tenant_a.student, user_agent="Tablet")
    assert laptop.post(SESSIONS, {"session": tablet_session.pk}).status_code == 302
    assert tablet.get(SESSIONS).status_code == 302  # signed out → login
    assert laptop.get(SESSIONS).status_code == 200
    assert SecurityEvent.objects.filter(kind="session_revoked", target=tenant_a.student).exists()


def test_cannot_revoke_someone_elses_session(tenant_a, tenant_b):
    mine = browser(tenant_a.student, "Mine")
    theirs = browser(tenant_b.student, "Theirs")
    other = UserSession.objects.get(user=tenant_b.student)
    assert mine.post(SESSIONS, {"session": other.pk}).status_code == 404
    assert mine.post(SESSIONS, {"session": "not-a-number"}).status_code == 404
    assert theirs.get(SESSIONS).status_code == 200


def test_sign_out_everywhere_kills_sessions_and_jwts(tenant_a):
    laptop = browser(tenant_a.student, "Laptop")
    phone = browser(tenant_a.student, "Phone")
    pair = api_pair(tenant_a.student)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.get("/api/v1/me/").status_code == 200
    # when the user signs out everywhere from the laptop
    assert laptop.post(SESSIONS, {"action": "everywhere"}).status_code == 302
    # then every browser session and every API token is dead
    assert laptop.get(SESSIONS).status_code == 302
    assert phone.get(SESSIONS).status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    refresh = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert refresh.status_code == 401
    assert not UserSession.objects.filter(user=tenant_a.student).exists()


def test_admin_can_sign_out_a_managed_user_but_not_a_foreign_one(tenant_a, tenant_b):
    student = browser(tenant_a.student, "Chromebook")
    foreign = browser(tenant_b.student, "Foreign")
    admin = Client()
    admin.force_login(tenant_a.school_admin)
    # the admin sees only their school's sessions
    listing = admin.get("/admin/accounts/usersession/").content.decode()
    assert "Chromebook" in listing
    assert "Foreign" not in listing
    own = UserSession.objects.get(user=tenant_a.student)
    other = UserSession.objects.get(user=tenant_b.student)
    admin.post("/admin/accounts/usersession/", {"action": "revoke_sessions",
                                                "_selected_action": [own.pk, other.pk]})
    assert student.get(SESSIONS).status_code == 302
    assert foreign.get(SESSIONS).status_code == 200  # not in the admin's queryset: untouched


def test_deactivating_a_user_ends_sessions_and_tokens_at_once(tenant_a):
    student = browser(tenant_a.student, "Laptop")
    pair = api_pair(tenant_a.student)
    services.deactivate_user(actor=tenant_a.school_admin, user=tenant_a.student)
    assert student.get(SESSIONS).status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.get("/api/v1/me/").status_code == 401
    assert SecurityEvent.objects.filter(kind="user_deactivated", target=tenant_a.student).exists()
