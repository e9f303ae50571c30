"""Admin side of security: the audit log (read-only, district-scoped) and lockouts (see, clear)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts import services
from accounts.models import SecurityEvent

pytestmark = pytest.mark.django_db


def fail_login(email, ip="203.0.113.20", times=5):
    for _ in range(times):
        Client().post("/accounts/login/", {"username": email, "password": "wrong"}, REMOTE_ADDR=ip)


def test_audit_log_shows_only_the_admins_district(tenant_a, tenant_b):
    fail_login(tenant_a.student.email, times=1)
    fail_login(tenant_b.student.email, times=1)
    services.record_role_change(actor=tenant_a.district_admin, user=tenant_a.teacher, old_role="student")
    admin = Client()
    admin.force_login(tenant_a.district_admin)
    page = admin.get("/admin/accounts/securityevent/")
    assert page.status_code == 200
    body = page.content.decode()
    assert tenant_a.student.email in body or str(tenant_a.student) in body
    assert tenant_b.student.email not in body
    assert str(tenant_b.student) not in body
    foreign = SecurityEvent.objects.filter(target=tenant_b.student).first()
    assert admin.get(f"/admin/accounts/securityevent/{foreign.pk}/change/").status_code == 404
    assert SecurityEvent.objects.filter(kind="role_change", target=tenant_a.teacher).exists()


def test_audit_log_is_read_only(tenant_a):
    fail_login(tenant_a.student.email, times=1)
    event = SecurityEvent.objects.filter(target=tenant_a.student).first()
    admin = Client()
    admin.force_login(tenant_a.district_admin)
    assert admin.get("/admin/accounts/securityevent/add/").status_code == 403
    admin.post(f"/admin/accounts/securityevent/{event.pk}/change/", {"kind": "logout"})
    admin.post(f"/admin/accounts/securityevent/{event.pk}/delete/", {"post": "yes"})
    event.refresh_from_db()
    assert event.kind == "login_failure"


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_non_admins_cannot_open_security_admin(tenant_a, role):
    client = Client()
    client.force_login(getattr(tenant_a, role))
    for url in ("/admin/accounts/securityevent/", "/admin/axes/accessattempt/", "/admin/accounts/usersession/"):
        assert client.get(url).status_code in (302, 403)


def test_admin_sees_and_clears_a_lockout_in_their_district_only(tenant_a, tenant_b):
    fail_login(tenant_a.student.email)
    fail_login(tenant_b.student.email)
    locked = Client().post("/accounts/login/", {"username": tenant_a.student.email, "password": "Correct-Horse-42"},
                           REMOTE_ADDR="203.0.113.20")
    assert locked.status_code == 429
    admin = Client()
    admin.force_login(tenant_a.school_admin)
    listing = admin.get("/admin/axes/accessattempt/").content.decode()
    assert tenant_a.student.email in listing
    assert tenant_b.student.email not in listing
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))  # includes tenant_b's row
    admin.post("/admin/axes/accessattempt/", {"action": "clear_lockouts", "_selected_action": ids})
    assert not AccessAttempt.objects.filter(username=tenant_a.student.email).exists()
    assert AccessAttempt.objects.filter(username=tenant_b.student.email).exists()  # untouched
    unlocked = Client().post("/accounts/login/", {"username": tenant_a.student.email, "password": "Correct-Horse-42"},
                             REMOTE_ADDR="203.0.113.20")
    assert unlocked.status_code == 302
    assert SecurityEvent.objects.filter(kind="lockout_cleared", target=tenant_a.student).exists()
