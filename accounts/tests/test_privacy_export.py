"""Export: every kind of record about the student, nothing of anyone else; expiring, checked download."""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import services
from accounts.privacy.exporting import ACTOR_FIELDS, user_links
from accounts.privacy.models import DataExport, StudentDataAccess
from accounts.privacy.tasks import build_export
from accounts.privacy.testing import give_every_record, make_lesson_with_media, make_topic
from accounts.tests.factories import StudentFactory
from schools.tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

EXPECTED_KINDS = {
    "accounts.StudentInterest", "accounts.SecurityEvent", "accounts.ConsentRecord", "accounts.StudentDataAccess",
    "accounts.DataExport",
    "schools.Enrollment", "content.LessonRequest", "content.LessonProgress", "content.ProgressEvent",
    "content.QuizAttempt", "content.ReQuiz", "content.ProblemReport", "content.Notification", "content.SafetyEvent",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(tenant_a, tenant_b):
    a1 = tenant_a.student
    a1.first_name, a1.last_name = "Ottoline", "Brackenbury"
    a1.save()
    a2 = StudentFactory(school=tenant_a.school, first_name="Peregrine", last_name="Vanstone",
                        email="peregrine@student.school-a.edu")
    EnrollmentFactory(classroom=tenant_a.classroom, student=a2)
    shared = make_lesson_with_media(make_topic(), interest="Music")
    records_a1 = give_every_record(a1, shared_lesson=shared, tag="alpha")
    records_a2 = give_every_record(a2, shared_lesson=shared, tag="bravo")
    records_b = give_every_record(tenant_b.student, tag="charlie")
    return records_a1, records_a2, records_b


def _kinds_held_about(student) -> set[str]:
    """Independently of the exporter: every model with a row pointing at the student as its subject."""
    kinds = set()
    for model, field in user_links():
        if field.name not in ACTOR_FIELDS and model._base_manager.filter(**{field.name: student}).exists():
            kinds.add(model._meta.label)
    return kinds


def _zip(export: DataExport) -> zipfile.ZipFile:
    export.refresh_from_db()
    with services.export_storage().open(export.file_name, "rb") as fh:
        return zipfile.ZipFile(io.BytesIO(fh.read()))


def _all_text(zf: zipfile.ZipFile) -> str:
    return "\n".join(zf.read(name).decode("utf-8", "replace") for name in zf.namelist())


def test_student_export_contains_every_kind_of_record_and_nothing_of_others(world, tenant_a):
    a1, a2, b = world
    export = DataExport.objects.create(district=tenant_a.district, student=a1.student, requested_by=tenant_a.district_admin)
    result = build_export.apply(args=[export.pk]).get()
    assert result["status"] == "ready"
    export.refresh_from_db()
    assert export.progress == 100
    assert export.expires_at > timezone.now()
    zf = _zip(export)
    base = f"students/{a1.student.pk}"
    held = _kinds_held_about(a1.student)
    assert held == EXPECTED_KINDS  # the fixture really gave the student every kind of record
    for label in held:
        assert f"{base}/records/{label}.json" in zf.namelist(), label
        assert f"{base}/records/{label}.csv" in zf.namelist(), label
    profile = json.loads(zf.read(f"{base}/profile.json"))
    assert profile["email"] == a1.student.email
    assert profile["interests"][0]["interest"] == "Basketball"
    lessons = json.loads(zf.read(f"{base}/lessons_received.json"))
    assert {lesson["id"] for lesson in lessons} == {a1.own_lesson.pk, a1.shared_lesson.pk}
    assert all(lesson["captions_url"] and "quiz" in lesson and "script" in lesson for lesson in lessons)
    answers = json.loads(zf.read(f"{base}/quiz_answers.json"))
    assert answers[0]["chosen"] == "Inertia"
    text = _all_text(zf)
    assert a1.question in text
    assert "Ottoline" in text
    assert "sound is off alpha" in text
    for foreign in (a2.student.email, "Peregrine", "Vanstone", a2.question, "bravo", b.student.email, b.question,
                    "charlie"):
        assert foreign not in text, foreign
    assert "password" not in text
    assert "pbkdf2" not in text
    assert "bcrypt" not in text
    assert not any("/media/" in name for name in zf.namelist())  # media by link by default


def test_media_can_be_included(world, tenant_a):
    a1 = world[0]
    export = DataExport.objects.create(district=tenant_a.district, student=a1.student, include_media=True)
    build_export.apply(args=[export.pk])
    names = _zip(export).namelist()
    assert f"students/{a1.student.pk}/media/lesson-{a1.own_lesson.pk}/scene-01.png" in names
    assert f"students/{a1.student.pk}/media/lesson-{a1.own_lesson.pk}/captions.vtt" in names


def test_school_export_has_each_student_of_the_school_only(world, tenant_a, tenant_b):
    a1, a2, b = world
    export = DataExport.objects.create(district=tenant_a.district, school=tenant_a.school)
    build_export.apply(args=[export.pk])
    zf = _zip(export)
    folders = {name.split("/")[1] for name in zf.namelist() if name.startswith("students/")}
    assert folders == {str(a1.student.pk), str(a2.student.pk)}
    text = _all_text(zf)
    assert a2.question in text
    assert b.student.email not in text
    assert b.question not in text


def test_download_link_is_permission_checked_and_expires(world, tenant_a, tenant_b):
    export = DataExport.objects.create(district=tenant_a.district, student=world[0].student)
    build_export.apply(args=[export.pk])
    export.refresh_from_db()
    token = services.download_token(export)
    url = reverse("privacy:download_export", args=[token])
    assert "@" not in url
    assert world[0].student.email not in url

    def get(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client.get(url)

    response = get(tenant_a.district_admin)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None
    assert get(None).status_code == 302  # to the login page
    for outsider in (tenant_a.teacher, tenant_a.school_admin, tenant_a.student, tenant_b.district_admin):
        assert get(outsider).status_code == 404, outsider.role
    forged = url.replace(token, token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    client = Client()
    client.force_login(tenant_a.district_admin)
    assert client.get(forged).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert get(tenant_a.district_admin).status_code == 404


def test_admin_action_queues_an_export_and_audits_it(world, tenant_a, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(tenant_a.district_admin)
    StudentDataAccess.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("admin:accounts_user_changelist"),
                    {"action": "export_student_data", "_selected_action": [world[0].student.pk]})
    export = DataExport.objects.get()
    assert export.student == world[0].student
    assert export.requested_by == tenant_a.district_admin
    assert len(callbacks) == 1
    row = StudentDataAccess.objects.get()
    assert (row.what, row.actor, row.student) == ("export", tenant_a.district_admin, world[0].student)
    # a teacher cannot
    with pytest.raises(PermissionError):
        services.request_export(actor=tenant_a.teacher, student=world[0].student)


def test_export_student_command(world, tmp_path):
    out = io.StringIO()
    target = tmp_path / "out.zip"
    call_command("export_student", world[0].student.email, "--output", str(target), stdout=out)
    assert "export" in out.getvalue()
    assert f"students/{world[0].student.pk}/profile.json" in zipfile.ZipFile(target).namelist()


@pytest.mark.django_db(transaction=True)
def test_export_is_built_by_a_real_celery_worker(celery_worker_process, tenant_a):
    student = tenant_a.student
    give_every_record(student, tag="worker")
    export = services.request_export(actor=tenant_a.district_admin, student=student)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in (DataExport.Status.READY, DataExport.Status.FAILED):
            break
        time.sleep(0.3)
    assert export.status == DataExport.Status.READY
    assert export.progress == 100
    assert f"students/{student.pk}/records/content.LessonRequest.json" in _zip(export).namelist()


def test_admin_add_form_exports_a_school_of_the_own_district_only(world, tenant_a, tenant_b,
                                                                  django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(tenant_a.district_admin)
    add = reverse("admin:accounts_dataexport_add")
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(add, {"school": tenant_a.school.pk, "include_media": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    export = DataExport.objects.get()
    assert export.school == tenant_a.school
    assert export.include_media
    assert export.district == tenant_a.district
    assert StudentDataAccess.objects.filter(what="export").count() == 2  # both students of the school
    response = client.post(add, {"school": tenant_b.school.pk})
    assert response.status_code == 200
    assert DataExport.objects.count() == 1
    teacher = Client()
    teacher.force_login(tenant_a.school_admin)
    assert teacher.get(add).status_code == 403
