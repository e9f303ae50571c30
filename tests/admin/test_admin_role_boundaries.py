"""Issue 15, wider hunt: rosters hold students and classes are taught by teachers, whoever edits them.

An admin who could put a peer admin on a class roster would hand that account to the class's
teachers (teachers see, and act on, the users enrolled in their classes); a student listed as a
class's teacher is as wrong. The admin forms, the model and the roster import all refuse it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import SchoolAdminFactory
from schools.models import Classroom, Enrollment

pytestmark = pytest.mark.django_db


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def peer(tenant_a):
    return SchoolAdminFactory(school=tenant_a.school, email="peer.admin@school-a.edu")


def test_an_admin_cannot_enrol_a_peer_admin_or_a_teacher(tenant_a, peer):
    client = _admin(tenant_a.school_admin)
    for account in (peer, tenant_a.teacher):
        response = client.post(reverse("admin:schools_enrollment_add"),
                               {"student": account.pk, "classroom": tenant_a.classroom.pk})
        assert response.status_code == 200  # redisplayed with an error
        assert not Enrollment.objects.filter(student=account).exists()
    done = client.post(reverse("admin:schools_enrollment_add"),
                       {"student": tenant_a.student.pk, "classroom": _second_class(tenant_a).pk})
    assert done.status_code == 302


def test_the_class_roster_inline_takes_only_students(tenant_a, peer):
    # the inline is offered to superusers (tenant admins lack the inline's model permissions)
    root = User.objects.create_superuser("root@district-a.org", "x", district=tenant_a.district)
    client = _admin(root)
    url = reverse("admin:schools_classroom_change", args=[tenant_a.classroom.pk])
    enrolment = tenant_a.classroom.enrollments.get()
    response = client.post(url, {
        "school": tenant_a.school.pk, "name": tenant_a.classroom.name, "subject": "physics", "grade_band": "9-10",
        "period": "", "teachers": [tenant_a.teacher.pk],
        "enrollments-TOTAL_FORMS": "2", "enrollments-INITIAL_FORMS": "1", "enrollments-MIN_NUM_FORMS": "0",
        "enrollments-MAX_NUM_FORMS": "1000", "enrollments-0-id": enrolment.pk,
        "enrollments-0-classroom": tenant_a.classroom.pk, "enrollments-0-student": tenant_a.student.pk,
        "enrollments-1-classroom": tenant_a.classroom.pk, "enrollments-1-student": peer.pk})
    assert response.status_code == 200
    assert not Enrollment.objects.filter(student=peer).exists()


def test_only_teachers_can_be_a_classes_teachers(tenant_a):
    client = _admin(tenant_a.school_admin)
    response = client.post(reverse("admin:schools_classroom_add"), {
        "school": tenant_a.school.pk, "name": "Sneaky", "subject": "physics", "grade_band": "9-10", "period": "",
        "teachers": [tenant_a.student.pk], "enrollments-TOTAL_FORMS": "0", "enrollments-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert not Classroom.objects.filter(name="Sneaky").exists()


def test_the_model_refuses_a_non_student_enrolment(tenant_a):
    with pytest.raises(ValidationError):
        Enrollment(classroom=tenant_a.classroom, student=tenant_a.teacher).full_clean()


def test_roster_import_enrols_only_students(tenant_a):
    client = _admin(tenant_a.school_admin)
    csv_text = ("email,first_name,last_name,role,school,grade_level,is_active,class_codes\n"
                f"new.teacher@school-a.edu,New,Teacher,teacher,school-a.edu,,1,{tenant_a.classroom.join_code}\n")
    response = client.post(reverse("admin:accounts_user_import"), {
        "resource": 0, "format": 0,
        "import_file": SimpleUploadedFile("roster.csv", csv_text.encode(), content_type="text/csv")})
    assert "Only students can be enrolled" in response.content.decode()
    assert not Enrollment.objects.filter(student__email="new.teacher@school-a.edu").exists()


def _second_class(tenant) -> Classroom:
    return Classroom.objects.create(school=tenant.school, name="Chemistry A", subject="chemistry")
