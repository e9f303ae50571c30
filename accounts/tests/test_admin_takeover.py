"""Issue 15, finding 2: an admin acts only on users below their role (plus themselves).

Each test drives the real admin over HTTP as a school or district admin against a peer or a superior
in the same tenant, and checks both the answer and that nothing changed in the database.
"""

from __future__ import annotations

import importlib

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import SecurityEvent, UserSession
from accounts.permissions import can_manage_user, manageable_users
from accounts.tests.factories import DEFAULT_PASSWORD, SchoolAdminFactory, TeacherFactory
from schools.tenancy import Role

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Brand-New-Secret-93"


@pytest.fixture
def peers(tenant_a):
    """A second school admin in school A and a superuser placed in district A."""
    peer = SchoolAdminFactory(school=tenant_a.school, email="peer.admin@school-a.edu")
    root = User.objects.create_superuser("root@district-a.org", DEFAULT_PASSWORD, district=tenant_a.district)
    return peer, root


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_payload(user, **overrides) -> dict:
    data = {"email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "role": user.role, "school": user.school_id or "", "grade_level": user.grade_level or "",
            "date_of_birth": "", "is_active": "on" if user.is_active else "",
            "student_interests-TOTAL_FORMS": "0", "student_interests-INITIAL_FORMS": "0"}
    return {**data, **overrides}


def _row(user) -> tuple:
    user.refresh_from_db()
    return (user.password, user.role, user.school_id, user.is_active, user.first_name, user.token_version)


def _password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


# --- the reported exploit: a school admin sets a peer admin's password ---------------------------

def test_school_admin_cannot_set_a_peer_admins_password(tenant_a, peers):
    peer, _root = peers
    before = _row(peer)
    client = _admin(tenant_a.school_admin)
    assert client.get(_password_url(peer)).status_code == 403
    response = client.post(_password_url(peer), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                 "usable_password": "true"})
    assert response.status_code == 403
    assert _row(peer) == before
    assert not Client().login(email=peer.email, password=NEW_PASSWORD)


@pytest.mark.parametrize("actor_role", ["school_admin", "district_admin"])
def test_admins_cannot_set_a_superusers_password(tenant_a, peers, actor_role):
    _peer, root = peers
    before = _row(root)
    client = _admin(getattr(tenant_a, actor_role))
    response = client.post(_password_url(root), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                 "usable_password": "true"})
    assert response.status_code in (403, 404)
    assert _row(root) == before


def test_district_admin_cannot_touch_another_district_admin(tenant_a):
    other = User.objects.create_user("second.admin@district-a.org", DEFAULT_PASSWORD, role=Role.DISTRICT_ADMIN,
                                     district=tenant_a.district)
    before = _row(other)
    client = _admin(tenant_a.district_admin)
    assert client.get(reverse("admin:accounts_user_change", args=[other.pk])).status_code == 200  # may look
    assert client.post(reverse("admin:accounts_user_change", args=[other.pk]),
                       _change_payload(other, first_name="Owned", role=Role.TEACHER)).status_code == 403
    assert client.post(_password_url(other), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                              "usable_password": "true"}).status_code == 403
    assert client.post(reverse("admin:accounts_user_delete", args=[other.pk]), {"post": "yes"}).status_code == 403
    assert _row(other) == before


def test_admins_still_manage_users_below_them_and_themselves(tenant_a):
    client = _admin(tenant_a.school_admin)
    response = client.post(_password_url(tenant_a.teacher), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                             "usable_password": "true"})
    assert response.status_code == 302
    assert Client().login(email=tenant_a.teacher.email, password=NEW_PASSWORD)
    own = client.post(reverse("admin:accounts_user_change", args=[tenant_a.school_admin.pk]),
                      _change_payload(tenant_a.school_admin, first_name="Renamed"))
    assert own.status_code == 302
    district = _admin(tenant_a.district_admin)
    promoted = district.post(reverse("admin:accounts_user_change", args=[tenant_a.teacher.pk]),
                             _change_payload(tenant_a.teacher, role=Role.SCHOOL_ADMIN))
    assert promoted.status_code == 302
    assert User.objects.get(pk=tenant_a.teacher.pk).role == Role.SCHOOL_ADMIN


def test_peer_change_form_is_read_only_and_a_crafted_post_is_refused(tenant_a, peers):
    peer, _root = peers
    client = _admin(tenant_a.school_admin)
    page = client.get(reverse("admin:accounts_user_change", args=[peer.pk]))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="first_name"' not in page.content.decode()
    before = _row(peer)
    response = client.post(reverse("admin:accounts_user_change", args=[peer.pk]),
                           _change_payload(peer, role=Role.TEACHER, is_active=""))
    assert response.status_code == 403
    assert _row(peer) == before


def test_nobody_changes_their_own_role_school_or_status(tenant_a):
    other_school = type(tenant_a.school).objects.create(district=tenant_a.district, name="Other A2",
                                                        domain="other-a2.edu")
    client = _admin(tenant_a.school_admin)
    page = client.get(reverse("admin:accounts_user_change", args=[tenant_a.school_admin.pk]))
    assert 'name="role"' not in page.content.decode()
    client.post(reverse("admin:accounts_user_change", args=[tenant_a.school_admin.pk]),
                _change_payload(tenant_a.school_admin, role=Role.TEACHER, school=other_school.pk, is_active=""))
    me = User.objects.get(pk=tenant_a.school_admin.pk)
    assert (me.role, me.school_id, me.is_active) == (Role.SCHOOL_ADMIN, tenant_a.school.pk, True)
    district = _admin(tenant_a.district_admin)
    district.post(reverse("admin:accounts_user_change", args=[tenant_a.district_admin.pk]),
                  _change_payload(tenant_a.district_admin, role=Role.SCHOOL_ADMIN, school=tenant_a.school.pk))
    assert User.objects.get(pk=tenant_a.district_admin.pk).role == Role.DISTRICT_ADMIN


# --- actions -----------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["deactivate_users", "sign_out_everywhere", "delete_selected"])
def test_actions_on_a_selection_with_a_peer_admin_change_nothing(tenant_a, peers, action):
    peer, _root = peers
    client = _admin(tenant_a.school_admin)
    rows = {u.pk: _row(u) for u in (peer, tenant_a.teacher)}
    response = client.post(reverse("admin:accounts_user_changelist"),
                           {"action": action, "_selected_action": [peer.pk, tenant_a.teacher.pk], "post": "yes"},
                           follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert {pk: _row(User.objects.get(pk=pk)) for pk in rows} == rows
    assert not SecurityEvent.objects.filter(target=peer).exists()


def test_actions_still_run_on_users_below(tenant_a):
    client = _admin(tenant_a.school_admin)
    client.post(reverse("admin:accounts_user_changelist"),
                {"action": "deactivate_users", "_selected_action": [tenant_a.teacher.pk]})
    assert not User.objects.get(pk=tenant_a.teacher.pk).is_active


def test_revoking_a_peer_admins_session_is_refused(tenant_a, peers):
    peer, _root = peers
    peer_browser = _admin(peer)
    peer_browser.get("/admin/")
    session = UserSession.objects.get(user=peer)
    client = _admin(tenant_a.school_admin)
    client.post(reverse("admin:accounts_usersession_changelist"),
                {"action": "revoke_sessions", "_selected_action": [session.pk]})
    assert UserSession.objects.filter(pk=session.pk).exists()
    assert peer_browser.get("/admin/").status_code == 200


def test_clearing_a_peer_admins_lockout_is_refused(tenant_a, peers):
    peer, _root = peers
    attempt = AccessAttempt.objects.create(username=peer.email, ip_address="203.0.113.9", user_agent="x",
                                           failures_since_start=9, get_data="", post_data="", http_accept="",
                                           path_info="/accounts/login/")
    client = _admin(tenant_a.school_admin)
    client.post(reverse("admin:axes_accessattempt_changelist"),
                {"action": "clear_lockouts", "_selected_action": [attempt.pk]})
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_school_admin_cannot_revoke_the_districts_admin_invitation(tenant_a):
    invitation = services.invite_user(actor=tenant_a.district_admin, email="next.head@school-a.edu",
                                      role=Role.SCHOOL_ADMIN, school=tenant_a.school)
    client = _admin(tenant_a.school_admin)
    client.post(reverse("admin:accounts_invitation_changelist"),
                {"action": "revoke_invitations", "_selected_action": [invitation.pk]})
    assert client.post(reverse("admin:accounts_invitation_delete", args=[invitation.pk]),
                       {"post": "yes"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- the add form and the roster import ------------------------------------------------------

def _add_payload(**overrides) -> dict:
    return {"email": "made.up@school-a.edu", "first_name": "Made", "last_name": "Up", "role": Role.TEACHER,
            "school": "", "grade_level": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
            "usable_password": "true", "student_interests-TOTAL_FORMS": "0",
            "student_interests-INITIAL_FORMS": "0", **overrides}


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN])
def test_school_admin_cannot_create_a_user_at_or_above_their_role(tenant_a, role):
    client = _admin(tenant_a.school_admin)
    response = client.post(reverse("admin:accounts_user_add"),
                           _add_payload(role=role, school=tenant_a.school.pk, is_superuser="on", is_staff="on"))
    assert response.status_code == 200  # redisplayed with an error
    assert not User.objects.filter(email="made.up@school-a.edu").exists()


def test_add_form_ignores_superuser_and_staff_flags_and_other_schools(tenant_a, tenant_b):
    other_school = type(tenant_a.school).objects.create(district=tenant_a.district, name="Other A3",
                                                        domain="other-a3.edu")
    client = _admin(tenant_a.school_admin)
    refused = client.post(reverse("admin:accounts_user_add"), _add_payload(school=other_school.pk))
    assert refused.status_code == 200
    assert not User.objects.filter(email="made.up@school-a.edu").exists()
    client.post(reverse("admin:accounts_user_add"),
                _add_payload(school=tenant_a.school.pk, is_superuser="on", groups="1", user_permissions="1"))
    made = User.objects.get(email="made.up@school-a.edu")
    assert (made.is_superuser, made.is_staff, made.school_id) == (False, False, tenant_a.school.pk)
    assert not made.user_permissions.exists()


def test_roster_import_cannot_demote_or_deactivate_a_peer_admin(tenant_a, peers):
    peer, _root = peers
    before = _row(peer)
    client = _admin(tenant_a.school_admin)
    csv_text = ("email,first_name,last_name,role,school,grade_level,is_active,class_codes\n"
                f"{peer.email},Owned,Admin,teacher,school-a.edu,,0,\n")
    response = client.post(reverse("admin:accounts_user_import"), {
        "resource": 0, "format": 0,
        "import_file": SimpleUploadedFile("roster.csv", csv_text.encode(), content_type="text/csv")})
    assert "at or above yours" in response.content.decode()
    assert response.context.get("confirm_form") is None
    assert _row(peer) == before


# --- the rule itself and the district-admin invariant ---------------------------------------------

def test_manageable_users_is_below_the_actor_plus_self(tenant_a, tenant_b, peers):
    peer, root = peers
    school_admin = set(manageable_users(tenant_a.school_admin).values_list("pk", flat=True))
    assert school_admin == {tenant_a.student.pk, tenant_a.teacher.pk, tenant_a.school_admin.pk}
    district = set(manageable_users(tenant_a.district_admin).values_list("pk", flat=True))
    assert district == {tenant_a.student.pk, tenant_a.teacher.pk, tenant_a.school_admin.pk, peer.pk,
                        tenant_a.district_admin.pk}
    assert not can_manage_user(tenant_a.teacher, tenant_a.student)
    assert not can_manage_user(tenant_a.district_admin, root)
    assert can_manage_user(root, tenant_b.district_admin)


def test_a_district_admin_never_has_a_school(tenant_a):
    admin = tenant_a.district_admin
    admin.school = tenant_a.school
    with pytest.raises(ValidationError):
        admin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        admin.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        TeacherFactory(school=tenant_a.school, role=Role.DISTRICT_ADMIN, email="sneaky@school-a.edu")


def test_data_migration_moves_existing_district_admins_out_of_their_school(tenant_a):
    """Rows from before the constraint: the data migration clears the school and keeps the district."""

    migration = importlib.import_module("accounts.migrations.0006_district_admins_leave_schools")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # DDL below needs no pending FK checks
        cursor.execute("ALTER TABLE accounts_user DROP CONSTRAINT district_admin_has_no_school")
        cursor.execute("UPDATE accounts_user SET school_id = %s, district_id = NULL WHERE id = %s",
                       [tenant_a.school.pk, tenant_a.district_admin.pk])
    migration.clear_district_admin_schools(apps, None)
    admin = User.objects.get(pk=tenant_a.district_admin.pk)
    assert (admin.school_id, admin.district_id) == (None, tenant_a.district.pk)
    assert User.objects.get(pk=tenant_a.school_admin.pk).school_id == tenant_a.school.pk
