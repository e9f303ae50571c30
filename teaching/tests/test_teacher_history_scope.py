"""Issue 15, finding 9: a teacher sees what a student did while in the teacher's class, not their history.

A student of another school in the district, with a month of activity there, joins teacher A's class
today. Nothing from before that moment may reach teacher A: not on the class page, the student page,
the CSV export, the lesson pages, the dashboard, nor the teacher API or the content API.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StudentFactory, TeacherFactory
from content.models import ProblemReport, SafetyEvent
from schools.models import Enrollment
from schools.tests.factories import ClassroomFactory, EnrollmentFactory, SchoolFactory
from tests.support.teacher_fixtures import (
    answer_quiz,
    make_lesson,
    make_request,
    make_topics,
    report_problem,
    safety_event,
    watch,
)

pytestmark = pytest.mark.django_db
OLD_QUESTION = "What did my old chemistry class cover?"
NEW_QUESTION = "Why does the puck keep sliding?"


@pytest.fixture
def transfer(tenant_a):
    """The student's past at school A2, then joining teacher A's class now, then one new question."""
    north = SchoolFactory(district=tenant_a.district, name="North A", domain="north-a.edu")
    old_class = ClassroomFactory(school=north, name="Chemistry North", teachers=[TeacherFactory(school=north)])
    student = StudentFactory(school=north, email="mover@student.north-a.edu", first_name="Mo", last_name="Ver")
    old = EnrollmentFactory(classroom=old_class, student=student)
    Enrollment.objects.filter(pk=old.pk).update(joined_at=timezone.now() - timedelta(days=60))
    then = timezone.now() - timedelta(days=10)
    old_topic, new_topic = make_topics(2)
    old_lesson, new_lesson = make_lesson(old_topic, interest="Cooking"), make_lesson(new_topic)
    old_request = make_request(student, old_lesson, question=OLD_QUESTION, at=then)
    watch(student, old_lesson, fraction=1.0, at=then)
    answer_quiz(student, old_lesson, correct=1, at=then)
    report = report_problem(student, old_lesson, details="my old teacher was confusing")
    ProblemReport.objects.filter(pk=report.pk).update(created_at=then)
    event = safety_event(student)
    SafetyEvent.objects.filter(pk=event.pk).update(created_at=then)

    EnrollmentFactory(classroom=tenant_a.classroom, student=student)  # joins teacher A's class today
    new_request = make_request(student, new_lesson, question=NEW_QUESTION)
    return {"student": student, "old_request": old_request, "old_lesson": old_lesson, "new_request": new_request,
            "new_lesson": new_lesson, "report": report, "event": event}


@pytest.fixture
def teacher(tenant_a) -> Client:
    client = Client()
    client.force_login(tenant_a.teacher)
    return client


def test_student_page_shows_only_activity_since_joining(teacher, tenant_a, transfer):
    page = teacher.get(reverse("teacher:student", args=[tenant_a.classroom.pk, transfer["student"].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert NEW_QUESTION in body
    assert OLD_QUESTION not in body
    assert "my old teacher was confusing" not in body


def test_class_page_and_export_leave_out_the_earlier_history(teacher, tenant_a, transfer):
    body = teacher.get(reverse("teacher:class", args=[tenant_a.classroom.pk])).content.decode()
    assert transfer["old_lesson"].title not in body
    assert "how to [redacted]" not in body  # the safety event from before
    assert transfer["new_lesson"].title in body
    export = teacher.get(reverse("teacher:class_export", args=[tenant_a.classroom.pk]), {"table": "heatmap"})
    assert transfer["old_lesson"].topic.title not in export.content.decode()
    dashboard = teacher.get(reverse("teacher:dashboard")).content.decode()
    assert "how to [redacted]" not in dashboard


def test_lesson_oversight_of_an_earlier_lesson_is_not_found(teacher, tenant_a, transfer):
    old = teacher.get(reverse("teacher:lesson", args=[tenant_a.classroom.pk, transfer["old_lesson"].pk]))
    missing = teacher.get(reverse("teacher:lesson", args=[tenant_a.classroom.pk, 987_654]))
    assert old.status_code == missing.status_code == 404
    assert teacher.get(reverse("teacher:lesson", args=[tenant_a.classroom.pk, transfer["new_lesson"].pk])
                       ).status_code == 200


def test_teacher_api_progress_counts_only_time_in_class(api_client_for, tenant_a, transfer):
    client = api_client_for(tenant_a.teacher)
    progress = client.get(f"/api/v1/classes/{tenant_a.classroom.pk}/progress/").json()
    row = next(r for r in progress["students"] if r["student_id"] == transfer["student"].pk)
    assert row["lessons_watched"] == 0  # the old lesson was watched at the other school
    assert row["quiz_percent"] is None
    assert transfer["old_lesson"].topic.title not in {t["title"] for t in progress["topics"]}


def test_content_api_gives_teachers_only_requests_made_in_their_class(api_client_for, tenant_a, transfer):
    client = api_client_for(tenant_a.teacher)
    ids = {row["id"] for row in client.get("/api/v1/lessons/requests/").json()}
    assert transfer["new_request"].pk in ids
    assert transfer["old_request"].pk not in ids
    old = client.get(f"/api/v1/lessons/requests/{transfer['old_request'].pk}/")
    assert old.status_code == 404
    assert client.get(f"/api/v1/lessons/{transfer['old_lesson'].pk}/").status_code == 404
    reports = client.get(reverse("api-problem-reports")).json()
    rows = reports.get("results", reports) if isinstance(reports, dict) else reports
    assert transfer["report"].pk not in {r["id"] for r in rows}
