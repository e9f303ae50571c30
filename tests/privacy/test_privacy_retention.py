"""Retention: the beat tasks purge exactly what RETENTION_SCHEDULE (and district overrides) say."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import Invitation, SecurityEvent
from accounts.privacy import services
from accounts.privacy.models import (
    DataExport,
    DistrictPrivacySettings,
    RetentionRun,
    StudentDataAccess,
)
from accounts.privacy.tasks import purge_daily, purge_hourly
from content.models import LessonProgress, LessonRequest, Notification, QuizAttempt
from tests.support.privacy import make_lesson_with_media, make_topic
from vividly.celery import app

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _request(student, days_ago: int) -> LessonRequest:
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        return LessonRequest.objects.create(student=student, question=f"old question {uuid.uuid4().hex[:4]}",
                                            grade_band="9-10")


def test_schedule_is_written_in_settings_and_scheduled_in_beat():
    schedule = settings.RETENTION_SCHEDULE
    assert schedule["lesson_requests"]["days"] == 90
    assert schedule["security_audit"]["days"] == 7 * 365
    assert schedule["progress"]["after"] == "contract_end"
    assert schedule["invitation_tokens"]["every"] == "hour"
    beat = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["accounts.privacy.purge_hourly"] == 3600
    assert beat["accounts.privacy.purge_daily"] == 86400
    assert beat["accounts.privacy.erase_due_students"] == 86400

    assert {"accounts.privacy.purge_hourly", "accounts.privacy.purge_daily",
            "accounts.privacy.erase_due_students", "accounts.privacy.build_export"} <= set(app.tasks)


def test_lesson_requests_purged_after_90_days_with_shorter_district_override(tenant_a, tenant_b):
    a_old, a_new = _request(tenant_a.student, 91), _request(tenant_a.student, 89)
    a_mid = _request(tenant_a.student, 31)
    b_mid, b_new = _request(tenant_b.student, 31), _request(tenant_b.student, 29)
    DistrictPrivacySettings.objects.create(district=tenant_b.district, retention_overrides={"lesson_requests": 30})
    # an override can only shorten the schedule, never lengthen it
    DistrictPrivacySettings.objects.create(district=tenant_a.district, retention_overrides={"lesson_requests": 400})
    with time_machine.travel(NOW, tick=False):
        report = purge_daily.apply().get()
    assert report["lesson_requests"] == 2
    assert set(LessonRequest.objects.values_list("pk", flat=True)) == {a_new.pk, a_mid.pk, b_new.pk}
    assert not LessonRequest.objects.filter(pk__in=[a_old.pk, b_mid.pk]).exists()
    run = RetentionRun.objects.get(task="privacy.purge_daily")
    assert run.purged["lesson_requests"] == 2


def test_audit_logs_keep_their_long_windows(tenant_a):
    seven_years = timedelta(days=7 * 365)
    SecurityEvent.objects.create(kind="login_success", created_at=NOW - seven_years - timedelta(days=1))
    kept_security = SecurityEvent.objects.create(kind="login_success", created_at=NOW - seven_years + timedelta(days=1))
    StudentDataAccess.objects.create(student=tenant_a.student, what="profile",
                                     created_at=NOW - timedelta(days=3 * 365 + 1))
    kept_access = StudentDataAccess.objects.create(student=tenant_a.student, what="profile",
                                                   created_at=NOW - timedelta(days=3 * 365 - 1))
    with time_machine.travel(NOW - timedelta(days=181), tick=False):
        Notification.objects.create(user=tenant_a.student, kind="lesson_ready", title="old")
    with time_machine.travel(NOW - timedelta(days=179), tick=False):
        kept_note = Notification.objects.create(user=tenant_a.student, kind="lesson_ready", title="recent")
    with time_machine.travel(NOW, tick=False):
        run = services.purge_daily()
    assert run.purged["security_audit"] == 1
    assert run.purged["access_audit"] == 1
    assert run.purged["notifications"] == 1
    assert list(SecurityEvent.objects.all()) == [kept_security]
    assert list(StudentDataAccess.objects.all()) == [kept_access]
    assert list(Notification.objects.all()) == [kept_note]


def test_progress_is_kept_until_contract_end_plus_30_days(tenant_a, tenant_b):
    lesson = make_lesson_with_media(make_topic())
    question = lesson.quiz_questions.first()
    for student in (tenant_a.student, tenant_b.student):
        LessonProgress.objects.create(student=student, lesson=lesson)
        QuizAttempt.objects.create(student=student, lesson=lesson, question=question, chosen="x", is_correct=False)
    today = timezone.localdate(NOW)
    DistrictPrivacySettings.objects.create(district=tenant_a.district, contract_ends_on=today - timedelta(days=31))
    b_settings = DistrictPrivacySettings.objects.create(district=tenant_b.district,
                                                        contract_ends_on=today - timedelta(days=29))
    with time_machine.travel(NOW, tick=False):
        run = services.purge_daily()
    assert run.purged["progress"] == 2
    assert set(LessonProgress.objects.values_list("student", flat=True)) == {tenant_b.student.pk}
    assert set(QuizAttempt.objects.values_list("student", flat=True)) == {tenant_b.student.pk}
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert services.purge_daily().purged["progress"] == 2
    assert not LessonProgress.objects.exists()
    assert b_settings.district_id == tenant_b.district.pk


def test_hourly_purge_of_tokens_sessions_and_expired_exports(tenant_a):
    def invitation(**extra):
        return Invitation.objects.create(email=f"{uuid.uuid4().hex[:6]}@school-a.edu", role="student",
                                         district=tenant_a.district, token_hash=secrets.token_hex(32), **extra)

    expired = invitation(expires_at=NOW - timedelta(minutes=1))
    revoked = invitation(expires_at=NOW + timedelta(days=3), revoked_at=NOW)
    live = invitation(expires_at=NOW + timedelta(days=3))
    accepted = invitation(expires_at=NOW - timedelta(days=1), accepted_at=NOW - timedelta(days=2))
    old_session, new_session = SessionStore(), SessionStore()
    old_session.set_expiry(NOW - timedelta(hours=1) - timezone.now())
    old_session.create()
    new_session.set_expiry(timedelta(days=30))
    new_session.create()
    for jti, expires in (("old-jti", NOW), ("live-jti", NOW + timedelta(days=30))):
        OutstandingToken.objects.create(user=tenant_a.student, jti=jti, token=f"token-{jti}", expires_at=expires)
    export = DataExport.objects.create(district=tenant_a.district, student=tenant_a.student)
    services.run_export(export_id=export.pk)
    export.refresh_from_db()
    store = services.export_storage()
    assert store.exists(export.file_name)
    file_name = export.file_name
    assert export.expires_at <= timezone.now() + timedelta(seconds=settings.PRIVACY_EXPORT_LINK_TTL)
    with time_machine.travel(export.expires_at + timedelta(minutes=1), tick=False):
        report = purge_hourly.apply().get()
    assert report == {"invitation_tokens": 2, "sessions": 1, "jwt_tokens": 1, "data_exports": 1}
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["live-jti"]
    assert set(Invitation.objects.values_list("pk", flat=True)) == {live.pk, accepted.pk}
    assert not Invitation.objects.filter(pk__in=[expired.pk, revoked.pk]).exists()
    assert set(Session.objects.values_list("session_key", flat=True)) == {new_session.session_key}
    export.refresh_from_db()
    assert export.status == "expired"
    assert not store.exists(file_name)


def test_purge_retention_command_prints_the_report(tenant_a, capsys):
    _request(tenant_a.student, 120)
    call_command("purge_retention", "--daily")
    out = capsys.readouterr().out
    assert '"lesson_requests": 1' in out
