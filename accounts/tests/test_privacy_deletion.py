"""Deletion: soft delete with a 30-day recovery window, then erasure that leaves nothing about the student
(every FK to the user model, every text column, the media storage) while shared lessons stay playable."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.models import Value
from django.db.models.functions import Cast, Replace
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.privacy import services
from accounts.privacy.exporting import user_links
from accounts.privacy.models import DeletionCertificate, DistrictPrivacySettings
from content import services as content_services
from content.models import Lesson, LessonRequest
from tests.support.privacy import give_every_record, make_lesson_with_media, make_topic

pytestmark = pytest.mark.django_db

FIRST, LAST = "Wilhelmina", "Fotheringay"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def doomed(tenant_a, tenant_b):
    """Student A with every kind of record, a lesson only they got, and one shared with tenant B's student."""
    student = tenant_a.student
    student.first_name, student.last_name = FIRST, LAST
    student.save()
    shared = make_lesson_with_media(make_topic(), interest="Music")
    records = give_every_record(student, shared_lesson=shared, tag="delta")
    other = give_every_record(tenant_b.student, shared_lesson=shared, tag="echo")
    DistrictPrivacySettings.objects.create(district=tenant_a.district).safety_escalation_admins.add(
        tenant_a.district_admin)
    # a self-harm flag: teacher + district alert notifications, a moderation review
    content_services.record_safety_event(student=student, category="self_harm", question="i want to die")
    LogEntry.objects.create(user=tenant_a.district_admin, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(student.pk), object_repr=str(student), action_flag=CHANGE)
    AccessAttempt.objects.create(username=student.email, ip_address="127.0.0.1", user_agent="pytest",
                                 failures_since_start=1, get_data="", post_data="", http_accept="*/*",
                                 path_info="/accounts/login/")
    RefreshToken.for_user(student)  # an outstanding API token record
    return records, other


def _rows_referencing(pk: int) -> dict[str, int]:
    found = {}
    for model, field in user_links():
        count = model._base_manager.filter(**{f"{field.name}__pk": pk}).count()
        if count:
            found[f"{model._meta.label}.{field.name}"] = count
    return found


def _rows_mentioning(needles: list[str]) -> dict[str, int]:
    """Every text/JSON column of every model, searched for the needles."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.EmailField):
                lookup_base = field.name
                qs = model._base_manager.all()
            elif isinstance(field, models.JSONField):
                qs = model._base_manager.annotate(_as_text=Cast(field.name, models.TextField()))
                lookup_base = "_as_text"
            else:
                continue
            for needle in needles:
                count = qs.filter(**{f"{lookup_base}__icontains": needle}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}~{needle}"] = count
    return found


def test_soft_delete_blocks_login_and_tokens_and_restore_undoes_it(tenant_a, api_client_for):
    student = tenant_a.student
    api = api_client_for(student)
    assert api.get(reverse("api-me")).status_code == 200
    services.soft_delete_student(student=student, actor=tenant_a.district_admin)
    student.refresh_from_db()
    assert student.deleted_at is not None
    assert not student.is_active
    assert api.get(reverse("api-me")).status_code == 401  # the JWT issued before is refused
    token = Client().post(reverse("api-token-obtain"), {"email": student.email, "password": tenant_a.password})
    assert token.status_code in (400, 401)
    assert not Client().login(email=student.email, password=tenant_a.password)
    services.restore_student(student=student)
    student.refresh_from_db()
    assert student.deleted_at is None
    assert student.is_active
    assert Client().post(reverse("api-token-obtain"),
                         {"email": student.email, "password": tenant_a.password}).status_code == 200


def test_erasure_waits_for_the_recovery_window(doomed):
    student = doomed[0].student
    services.soft_delete_student(student=student)
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert services.erase_due_students() == []
    assert User.objects.filter(pk=student.pk).exists()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        (certificate,) = services.erase_due_students()
    assert not User.objects.filter(pk=student.pk).exists()
    assert certificate.role == "student"
    assert certificate.soft_deleted_at is not None


def test_erasure_leaves_nothing_about_the_student_but_keeps_shared_lessons(doomed, tenant_a, tenant_b, settings,
                                                                         django_capture_on_commit_callbacks):
    records, other = doomed
    student, pk, email = records.student, records.student.pk, records.student.email
    own, shared = records.own_lesson, records.shared_lesson
    own_files = [own.video_path, *[p for s in own.scenes.all() for p in (s.image_path, s.audio_path)],
                 f"lessons/{own.pk}/captions.vtt"]
    shared_files = [shared.video_path, *[p for s in shared.scenes.all() for p in (s.image_path, s.audio_path)]]
    assert all(default_storage.exists(name) for name in own_files + shared_files)
    assert _rows_referencing(pk)  # the walk finds rows before
    assert _rows_mentioning([email, LAST])

    services.soft_delete_student(student=student)
    with time_machine.travel(timezone.now() + timedelta(days=31)), \
            django_capture_on_commit_callbacks(execute=True):  # files go once the erasure commits
        (certificate,) = services.erase_due_students()

    assert _rows_referencing(pk) == {}
    assert _rows_mentioning([email, FIRST, LAST, records.question, "sound is off delta"]) == {}
    # media: the lesson only they received is gone with its files; the shared lesson is untouched
    assert not Lesson.objects.filter(pk=own.pk).exists()
    assert not any(default_storage.exists(name) for name in own_files)
    assert all(default_storage.exists(name) for name in shared_files)
    stored = [str(p.relative_to(settings.MEDIA_ROOT)) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored
    assert not [name for name in stored if name.startswith(f"lessons/{own.pk}/")]
    # the certificate: counts, no PII
    assert certificate.counts["accounts.User"] == 1
    assert certificate.counts["content.LessonRequest"] == 2
    assert certificate.counts["token_blacklist.OutstandingToken"] == 1
    assert certificate.media_files_deleted >= 4
    assert certificate.shared_lessons_kept == 1
    assert certificate.pseudonymised == {"accounts.SecurityEvent": 1}
    assert DeletionCertificate.objects.filter(pseudonym=certificate.pseudonym).count() == 1
    for value in (email, FIRST, LAST):
        assert value not in str(certificate.counts) + certificate.pseudonym
    # the other student's copy of the shared lesson still plays
    theirs = LessonRequest.objects.get(student=tenant_b.student, lesson=shared)
    client = Client()
    client.force_login(tenant_b.student)
    page = client.get(reverse("student:lesson", args=[theirs.pk]))
    assert page.status_code == 200
    assert shared.video_url in page.content.decode()
    assert Lesson.objects.get(pk=shared.pk).is_ready
    assert other.student.lesson_requests.count() == 2  # their own lesson and the shared one


def test_delete_and_restore_commands(tenant_a):
    email = tenant_a.student.email
    out = io.StringIO()
    call_command("delete_student", email, stdout=out)
    assert "soft-deleted" in out.getvalue()
    assert User.objects.get(email=email).deleted_at is not None
    call_command("restore_student", email, stdout=out)
    assert User.objects.get(email=email).deleted_at is None
    call_command("delete_student", email, "--now", stdout=out)
    assert "erased: certificate" in out.getvalue()
    assert not User.objects.filter(email=email).exists()


def test_admin_actions_soft_delete_and_restore_in_own_district_only(tenant_a, tenant_b):
    client = Client()
    client.force_login(tenant_a.district_admin)
    changelist = reverse("admin:accounts_user_changelist")
    client.post(changelist, {"action": "soft_delete_students",
                             "_selected_action": [tenant_a.student.pk, tenant_b.student.pk]})
    assert User.objects.get(pk=tenant_a.student.pk).deleted_at is not None
    assert User.objects.get(pk=tenant_b.student.pk).deleted_at is None  # foreign rows are not in the queryset
    client.post(changelist, {"action": "restore_students", "_selected_action": [tenant_a.student.pk]})
    assert User.objects.get(pk=tenant_a.student.pk).deleted_at is None


@pytest.fixture
def namesakes(tenant_a, tenant_b):
    """Three students called Sam Lee (two in district A, one in B), each flagged for self-harm."""
    from accounts.tests.factories import StudentFactory
    from schools.tests.factories import EnrollmentFactory

    a1, b1 = tenant_a.student, tenant_b.student
    a2 = StudentFactory(school=tenant_a.school, email="sam.lee2@student.school-a.edu")
    EnrollmentFactory(classroom=tenant_a.classroom, student=a2)
    for student in (a1, a2, b1):
        student.first_name, student.last_name = "Sam", "Lee"
        student.save()
        DistrictPrivacySettings.objects.get_or_create(district=student.district)[0].safety_escalation_admins.add(
            tenant_a.district_admin if student.district_id == tenant_a.district.pk else tenant_b.district_admin)
        content_services.record_safety_event(student=student, category="self_harm", question="i want to die")
    return a1, a2, b1


def test_erasure_deletes_only_the_students_own_alerts_not_namesakes(namesakes, tenant_a, tenant_b):
    from accounts.models import Invitation
    from content.models import Notification, SafetyEvent

    a1, a2, b1 = namesakes
    # given every alert about a Sam Lee: each student's teacher alert and district escalation
    alerts = Notification.objects.filter(kind="safety_alert")
    assert alerts.filter(title="Please check in with Sam Lee").count() == 3
    assert set(alerts.values_list("safety_event__student", flat=True)) == {a1.pk, a2.pk, b1.pk}
    kept_before = set(alerts.exclude(safety_event__student=a1).values_list("pk", flat=True))
    # and district B's own pending invitation to the same address
    theirs = Invitation.objects.create(email=a1.email, role="student", district=tenant_b.district,
                                       school=tenant_b.school, token_hash="b" * 64,
                                       expires_at=timezone.now() + timedelta(days=3))
    # when student A1 is erased
    certificate = services.erase_student(student=a1)
    # then only A1's alerts are gone: the namesake in the same district and the one in district B keep theirs
    assert not alerts.filter(safety_event__student_id=a1.pk).exists()
    assert set(alerts.values_list("pk", flat=True)) == kept_before
    assert SafetyEvent.objects.filter(student__in=[a2, b1]).count() == 2
    assert certificate.counts["content.Notification"] == 2  # A1's teacher alert + A1's escalation
    assert Invitation.objects.filter(pk=theirs.pk).exists()


def test_legacy_alerts_are_linked_to_their_event_by_the_data_migration(namesakes):
    """Alerts written before the safety_event link get it from 0005 (so erasure can find them)."""
    from importlib import import_module

    from content.models import Notification

    b1 = namesakes[2]
    alerts = Notification.objects.filter(kind="safety_alert")
    expected = dict(alerts.values_list("pk", "safety_event_id"))
    # as written before that link: no safety_event, and escalations link to the review's admin page at
    # its address of the time (the review moved from accounts to content in issue 16)
    alerts.update(safety_event=None, url=Replace("url", Value("/admin/content/"), Value("/admin/accounts/")))
    name = "0005_backfill_alert_links_and_watch_time"
    migration = import_module(f"content.migrations.{name}")
    # the models as that migration saw them (ModerationReview was in accounts then)
    migration.link_alerts(MigrationLoader(connection).project_state(("content", name)).apps, None)
    linked = dict(alerts.values_list("pk", "safety_event_id"))
    # the escalations through their review; A1 and A2 share a district, name and minute: left unlinked
    b_alert = alerts.get(safety_event__student=b1, user__role="teacher").pk
    assert linked[b_alert] == expected[b_alert]
    for pk, event_id in linked.items():
        assert event_id in (expected[pk], None)
    assert sum(1 for pk, event_id in linked.items() if event_id == expected[pk]) == 4  # 3 escalations + B's alert
