"""The class report counts what a student watched, not how often a classmate replayed it (issue 8)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from content.models import LessonProgress
from content.services import progress as student_progress
from content.tests.student_fixtures import make_catalogue, make_lesson, make_request
from content.tests.test_student_progress import _play
from schools.tests.factories import EnrollmentFactory
from teaching.selectors import class_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(tenant_a):
    return make_request(tenant_a.student, make_lesson(make_catalogue()["newton1"]))


def test_a_classmate_replaying_a_lesson_does_not_flag_others_as_low_engagement(ready, tenant_a):
    # given two classmates who both watched the whole lesson, one of them 20 times over in new sessions
    inflater = StudentFactory(school=tenant_a.school)
    EnrollmentFactory(classroom=tenant_a.classroom, student=inflater)
    theirs = make_request(inflater, ready.lesson)
    watch = [("play", 0, 0), ("heartbeat", 4, 4), ("ended", 8, 8)]
    student_progress.record_events(student=tenant_a.student, events=_play(
        ready, watch, session="once", client_start=timezone.now() - dt.timedelta(seconds=9)))
    for n in range(20):
        student_progress.record_events(student=inflater, events=_play(
            theirs, watch, session=f"loop-{n}", client_start=timezone.now() - dt.timedelta(seconds=9)))
    # then both count the same watch time and neither is flagged for low engagement
    report = class_report(tenant_a.classroom)
    minutes = {row.student_id: row for row in report.progress}
    assert LessonProgress.objects.get(student=inflater).watched_seconds == pytest.approx(8.0)
    assert minutes[tenant_a.student.pk].minutes == minutes[inflater.pk].minutes
    assert not [s for s in report.signals if s.kind == "low_engagement"]
