"""Tenant isolation in the Django admin, at the HTTP level, in both directions."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from schools.models import Classroom, School

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("direction", ["a_to_b", "b_to_a"])
def test_district_admin_gets_404_for_every_foreign_object_url(client, tenant_a, tenant_b, direction):
    me, other = (tenant_a, tenant_b) if direction == "a_to_b" else (tenant_b, tenant_a)
    _login(client, me.district_admin)
    foreign = {
        "schools_school": other.school, "schools_classroom": other.classroom,
        "schools_district": other.district, "accounts_user": other.student,
        "schools_enrollment": other.classroom.enrollments.first(),
    }
    for route, obj in foreign.items():
        for action in ("change", "delete", "history"):
            url = reverse(f"admin:{route}_{action}", args=[obj.pk])
            assert client.get(url).status_code == 404, url
        assert client.post(reverse(f"admin:{route}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 404
    password_url = reverse("admin:auth_user_password_change", args=[other.student.pk])
    assert client.get(password_url).status_code == 404
    assert User.objects.filter(pk=other.student.pk).exists()


def test_changelists_contain_only_own_district_rows(client, tenant_a, tenant_b):
    _login(client, tenant_a.district_admin)
    for route, foreign in [("schools_school", tenant_b.school.name), ("accounts_user", tenant_b.student.email),
                           ("schools_classroom", tenant_b.classroom.name)]:
        body = client.get(reverse(f"admin:{route}_changelist")).content.decode()
        assert foreign not in body
    own = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert tenant_a.student.email in own


def test_foreign_key_choices_exclude_other_districts(client, tenant_a, tenant_b):
    _login(client, tenant_a.district_admin)
    body = client.get(reverse("admin:schools_classroom_add")).content.decode()
    assert f'value="{tenant_a.school.pk}"' in body
    assert f'value="{tenant_b.school.pk}"' not in body
    assert tenant_b.teacher.email not in body


def test_creating_a_classroom_in_a_foreign_school_is_rejected(client, tenant_a, tenant_b):
    _login(client, tenant_a.district_admin)
    response = client.post(reverse("admin:schools_classroom_add"), {
        "school": tenant_b.school.pk, "name": "Sneaky", "subject": "physics", "grade_band": "9-10",
        "period": "1", "enrollments-TOTAL_FORMS": 0, "enrollments-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200  # form redisplayed with an error
    assert not Classroom.objects.filter(name="Sneaky").exists()


def test_school_admin_sees_only_their_school(client, tenant_a):
    other_school = School.objects.create(district=tenant_a.district, name="Other", domain="other-a.edu")
    other_teacher = User.objects.create_user("t@other-a.edu", "x", role="teacher", school=other_school)
    _login(client, tenant_a.school_admin)
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert tenant_a.teacher.email in body
    assert other_teacher.email not in body
    assert client.get(reverse("admin:accounts_user_change", args=[other_teacher.pk])).status_code == 404
    # district-level objects are read-only for school admins
    assert client.get(reverse("admin:schools_school_add")).status_code == 403


def test_district_admin_cannot_promote_to_district_admin_or_superuser(client, tenant_a):
    _login(client, tenant_a.district_admin)
    body = client.get(reverse("admin:accounts_user_change", args=[tenant_a.teacher.pk])).content.decode()
    assert 'value="school_admin"' in body
    assert 'value="district_admin"' not in body
    assert "is_superuser" not in body


def test_students_and_teachers_cannot_use_the_admin(client, tenant_a):
    for user in (tenant_a.student, tenant_a.teacher):
        _login(client, user)
        response = client.get(reverse("admin:accounts_user_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_seeded_district_admin_sees_two_schools_seven_teachers_35_students(client, settings, tenant_b):

    settings.DEBUG = True
    call_command("seed")
    admin = User.objects.get(email="admin@davidsonschools.org")
    _login(client, admin)
    schools = client.get(reverse("admin:schools_school_changelist"))
    assert schools.context["cl"].result_count == 2
    teachers = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "teacher"})
    assert teachers.context["cl"].result_count == 7
    students = client.get(reverse("admin:accounts_user_changelist"), {"role__exact": "student"})
    assert students.context["cl"].result_count == 35
