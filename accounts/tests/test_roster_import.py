"""Bulk CSV roster import through the admin: preview, row errors, all-or-nothing, no deletions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,role,school,grade_level,is_active,class_codes\n"


def _upload(client, csv_text):
    return client.post(reverse("admin:accounts_user_import"), {
        "resource": 0, "format": 0,
        "import_file": SimpleUploadedFile("roster.csv", csv_text.encode(), content_type="text/csv"),
    })


def test_preview_shows_new_and_updated_rows_and_writes_nothing(client, tenant_a):
    client.force_login(tenant_a.district_admin)
    csv_text = HEADER + (
        f"new.kid.9@student.school-a.edu,New,Kid,student,school-a.edu,9,1,{tenant_a.classroom.join_code}\n"
        f"{tenant_a.student.email},Renamed,Student,student,school-a.edu,10,1,\n"
    )
    response = _upload(client, csv_text)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors()
    assert not result.has_validation_errors()
    kinds = sorted(row.import_type for row in result.rows)
    assert kinds == ["new", "update"]
    assert not User.objects.filter(email="new.kid.9@student.school-a.edu").exists()

    # confirming commits both rows, and enrols the new student
    confirm = response.context["confirm_form"]
    data = {k: v for k, v in confirm.initial.items() if v is not None}
    done = client.post(reverse("admin:accounts_user_process_import"), data)
    assert done.status_code == 302
    new = User.objects.get(email="new.kid.9@student.school-a.edu")
    assert new.district == tenant_a.district
    assert new.enrollments.filter(classroom=tenant_a.classroom).exists()
    assert User.objects.get(pk=tenant_a.student.pk).first_name == "Renamed"
    # users missing from the file are never deleted
    assert User.objects.filter(pk=tenant_a.teacher.pk).exists()


def test_bad_rows_are_reported_per_row_and_nothing_is_written(client, tenant_a, tenant_b):
    client.force_login(tenant_a.district_admin)
    before = User.objects.count()
    csv_text = HEADER + (
        "ok.kid.9@student.school-a.edu,Ok,Kid,student,school-a.edu,9,1,\n"
        f"{tenant_b.student.email},Stolen,Kid,student,school-a.edu,9,1,\n"   # another district's user
        "boss@school-a.edu,Big,Boss,district_admin,school-a.edu,,1,\n"       # role above the importer
        "x.kid.9@student.school-a.edu,X,Kid,student,school-b.edu,9,1,\n"    # foreign school
    )
    response = _upload(client, csv_text)
    body = response.content.decode()
    assert "belongs to another school or district" in body
    assert "cannot assign the role" in body
    assert "No school &#x27;school-b.edu&#x27; in your district" in body or "school-b.edu" in body
    assert "confirm_form" not in response.context or response.context.get("confirm_form") is None
    assert User.objects.count() == before
    assert User.objects.get(pk=tenant_b.student.pk).first_name != "Stolen"


def test_export_contains_only_own_district(client, tenant_a, tenant_b):
    client.force_login(tenant_a.district_admin)
    columns = ["email", "first_name", "last_name", "role", "school", "grade_level", "is_active", "class_codes"]
    response = client.post(reverse("admin:accounts_user_export"), {
        "format": 0, "resource": 0, **{f"rosterresource_{c}": "on" for c in columns}})
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert tenant_a.student.email in body
    assert tenant_b.student.email not in body
