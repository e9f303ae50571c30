"""Access audit: staff views of student data write StudentDataAccess rows; read-only, scoped admin."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from accounts.privacy.models import StudentDataAccess
from accounts.privacy.services import record_student_access
from tests.support.privacy import give_every_record

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_teacher_viewing_a_student_page_writes_an_access_row(tenant_a):
    teacher, student = tenant_a.teacher, tenant_a.student
    url = reverse("teacher:student", args=[tenant_a.classroom.pk, student.pk])
    response = _client(teacher).get(url, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    row = StudentDataAccess.objects.get()
    assert (row.actor, row.student, row.what, row.actor_role) == (teacher, student, "profile", "teacher")
    assert row.endpoint == "teacher:student"
    assert row.ip_address == "10.1.2.3"
    assert row.method == "GET"
    assert row.district_id == tenant_a.district.pk
    assert row.school_id == tenant_a.school.pk


def test_class_progress_page_and_api_audit_every_student_shown(tenant_a, api_client_for):
    response = _client(tenant_a.teacher).get(reverse("teacher:class", args=[tenant_a.classroom.pk]))
    assert response.status_code == 200
    assert list(StudentDataAccess.objects.values_list("student", "what", "endpoint")) == [
        (tenant_a.student.pk, "progress", "teacher:class")]
    api = api_client_for(tenant_a.teacher)
    count_before = StudentDataAccess.objects.count()
    response = api.get(reverse("api-class-progress", args=[tenant_a.classroom.pk]))
    assert response.status_code == 200
    assert StudentDataAccess.objects.count() == count_before + 1
    assert StudentDataAccess.objects.first().endpoint.endswith("api-class-progress")
    assert api.get(reverse("api-class-roster", args=[tenant_a.classroom.pk])).status_code == 200
    assert api.get(reverse("api-class-signals", args=[tenant_a.classroom.pk])).status_code == 200
    assert set(StudentDataAccess.objects.values_list("endpoint", "what")) >= {
        ("api-class-roster", "profile"), ("api-class-signals", "progress")}


def test_lesson_oversight_audits_the_students_who_received_it(tenant_a):
    records = give_every_record(tenant_a.student)
    StudentDataAccess.objects.all().delete()
    url = reverse("teacher:lesson", args=[tenant_a.classroom.pk, records.own_lesson.pk])
    assert _client(tenant_a.teacher).get(url).status_code == 200
    row = StudentDataAccess.objects.get()
    assert (row.student, row.what) == (tenant_a.student, "lessons")


def test_admin_user_change_view_is_audited(tenant_a):
    admin = tenant_a.district_admin
    url = reverse("admin:accounts_user_change", args=[tenant_a.student.pk])
    assert _client(admin).get(url).status_code == 200
    row = StudentDataAccess.objects.get()
    assert (row.actor, row.student, row.what, row.actor_role) == (admin, tenant_a.student, "profile",
                                                                  "district_admin")


def test_students_and_non_students_are_not_audited(tenant_a, rf):
    request = rf.get("/")
    request.user = tenant_a.student
    assert record_student_access(request, tenant_a.student, "profile") == 0
    request.user = tenant_a.teacher
    assert record_student_access(request, tenant_a.school_admin, "profile") == 0
    assert StudentDataAccess.objects.count() == 0


def test_audit_admin_is_read_only_and_district_scoped(tenant_a, tenant_b, rf):
    for tenant in (tenant_a, tenant_b):
        request = rf.get("/")
        request.user = tenant.teacher
        record_student_access(request, tenant.student, "profile")
    client = _client(tenant_a.district_admin)
    changelist = client.get(reverse("admin:accounts_studentdataaccess_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 1
    foreign = StudentDataAccess.objects.get(student=tenant_b.student)
    assert client.get(reverse("admin:accounts_studentdataaccess_change", args=[foreign.pk])).status_code == 404
    own = StudentDataAccess.objects.get(student=tenant_a.student)
    assert client.post(reverse("admin:accounts_studentdataaccess_delete", args=[own.pk]),
                       {"post": "yes"}).status_code == 403
    assert StudentDataAccess.objects.count() == 2
    search = client.get(reverse("admin:accounts_studentdataaccess_changelist"), {"q": tenant_a.student.email})
    assert search.context["cl"].result_count == 1


def test_a_student_can_download_their_own_access_log(tenant_a, tenant_b, rf):
    request = rf.get("/")
    request.user = tenant_a.teacher
    record_student_access(request, tenant_a.student, "progress")
    request.user = tenant_b.teacher
    record_student_access(request, tenant_b.student, "profile")
    response = _client(tenant_a.student).get(reverse("privacy:my_access_log"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["when", "staff role", "what", "page or endpoint"]
    assert [r[1:3] for r in rows[1:]] == [["teacher", "Progress"]]
    assert _client(tenant_a.teacher).get(reverse("privacy:my_access_log")).status_code == 404
