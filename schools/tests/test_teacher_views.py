"""Teacher pages: tenancy (404 for foreign classes/students), empty states, CSV = page, query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import StudentFactory, TeacherFactory
from content.models import Assignment, LessonBlock, PinnedLesson
from schools.models import Enrollment
from schools.tests.factories import EnrollmentFactory
from teaching.models import SignalDismissal

from .teacher_fixtures import (
    answer_quiz,
    make_interest,
    make_lesson,
    make_request,
    make_topics,
    report_problem,
    safety_event,
    watch,
)


@pytest.fixture
def teacher_client(client, tenant_a):
    client.force_login(tenant_a.teacher)
    return client


def _seed_activity(classroom, students, topics):
    """Every student watches, quizzes and asks; enough to fire most signals."""
    now = timezone.now()
    lessons = [make_lesson(t) for t in topics]
    for i, student in enumerate(students):
        for j, lesson in enumerate(lessons):
            make_request(student, lesson, at=now - timedelta(days=j))
            watch(student, lesson, fraction=0.4 if i % 2 else 1.0, at=now - timedelta(days=j))
            answer_quiz(student, lesson, correct=1 if i % 3 == 0 else 4)
        if i % 4 == 0:
            report_problem(student, lessons[0], details="slide 2 is blank")
    return lessons


def _class_with_students(tenant, n):
    students = [tenant.student] + [StudentFactory(school=tenant.school) for _ in range(n - 1)]
    for s in students[1:]:
        EnrollmentFactory(classroom=tenant.classroom, student=s)
    return students


@pytest.mark.parametrize("url_case", ["class", "class_settings", "invite", "assign", "class_export"])
def test_other_teachers_class_is_404_like_missing(teacher_client, tenant_b, url_case):
    # given teacher A; when opening district B's class or a class id that does not exist
    foreign = teacher_client.get(reverse(f"teacher:{url_case}", args=[tenant_b.classroom.pk]))
    missing = teacher_client.get(reverse(f"teacher:{url_case}", args=[999999]))
    # then both are the same 404
    assert foreign.status_code == missing.status_code == 404


def test_same_school_colleague_class_is_404(client, tenant_a):
    colleague = TeacherFactory(school=tenant_a.school)
    client.force_login(colleague)
    assert client.get(reverse("teacher:class", args=[tenant_a.classroom.pk])).status_code == 404


def test_student_outside_class_is_404(teacher_client, tenant_a, tenant_b):
    outsider = StudentFactory(school=tenant_a.school)  # same school, not in the class
    for student in (outsider, tenant_b.student):
        url = reverse("teacher:student", args=[tenant_a.classroom.pk, student.pk])
        assert teacher_client.get(url).status_code == 404
        remove = reverse("teacher:remove_student", args=[tenant_a.classroom.pk, student.pk])
        assert teacher_client.post(remove).status_code == 404


def test_students_and_admins_cannot_open_teacher_pages(client, tenant_a):
    for user in (tenant_a.student, tenant_a.school_admin):
        client.force_login(user)
        assert client.get(reverse("teacher:classes")).status_code == 403
    client.logout()
    assert client.get(reverse("teacher:classes")).status_code == 302


def test_empty_class_shows_helpful_empty_state(teacher_client, tenant_a):
    Enrollment.objects.all().delete()
    page = teacher_client.get(reverse("teacher:class", args=[tenant_a.classroom.pk])).content.decode()
    assert "No students yet" in page
    assert tenant_a.classroom.join_code in page


def test_create_class_then_assign_a_topic(teacher_client, tenant_a):
    response = teacher_client.post(reverse("teacher:class_create"), {
        "name": "Physics 2", "subject": "physics", "grade_band": "9-10", "period": "P4"})
    classroom = tenant_a.teacher.taught_classrooms.get(name="Physics 2")
    assert response.url == reverse("teacher:class", args=[classroom.pk])
    [topic] = make_topics(1)
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = teacher_client.post(reverse("teacher:assign", args=[classroom.pk]),
                                   {"topic": topic.pk, "due_at": due, "note": "Before Friday"})
    assert response.status_code == 302
    assert Assignment.objects.get(classroom=classroom).topic == topic


def test_assign_rejects_past_due_date(teacher_client, tenant_a):
    [topic] = make_topics(1)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = teacher_client.post(reverse("teacher:assign", args=[tenant_a.classroom.pk]),
                                   {"topic": topic.pk, "due_at": past})
    assert response.status_code == 200
    assert "future" in response.content.decode()
    assert not Assignment.objects.exists()


def test_csv_upload_previews_then_confirm_creates(teacher_client, tenant_a):
    url = reverse("teacher:invite", args=[tenant_a.classroom.pk])
    bad = io.BytesIO(b"email\nfine@student.school-a.edu\nnope\n")
    bad.name = "roster.csv"
    page = teacher_client.post(url, {"action": "csv", "csv-file": bad}).content.decode()
    assert "Not a valid email address." in page
    assert "Confirm" not in page
    good = io.BytesIO(b"email,first_name\nfine@student.school-a.edu,Fin\n")
    good.name = "roster.csv"
    response = teacher_client.post(url, {"action": "csv", "csv-file": good})
    token = response.context["preview"].token()
    from accounts.models import Invitation

    assert not Invitation.objects.exists()  # nothing until confirmed
    teacher_client.post(reverse("teacher:invite_confirm", args=[tenant_a.classroom.pk]), {"token": token})
    assert Invitation.objects.get().email == "fine@student.school-a.edu"


def test_dismiss_signal_with_htmx_returns_fragment(teacher_client, tenant_a):
    response = teacher_client.post(reverse("teacher:dismiss_signal", args=[tenant_a.classroom.pk]),
                                   {"student": tenant_a.student.pk, "kind": "inactive", "fingerprint": "never"},
                                   HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Dismissed" in response.content.decode()
    assert SignalDismissal.objects.filter(student=tenant_a.student, kind="inactive").exists()


def test_class_page_shows_progress_heatmap_signals_and_csv_matches(teacher_client, tenant_a):
    students = _class_with_students(tenant_a, 4)
    topics = make_topics(2)
    _seed_activity(tenant_a.classroom, students, topics)
    page = teacher_client.get(reverse("teacher:class", args=[tenant_a.classroom.pk]))
    html = page.content.decode()
    assert "Failed the quiz" in html
    assert "Reported a problem" in html
    assert "slide 2 is blank" in html
    assert "Quiz 25%" in html
    assert "Quiz 100%" in html
    # the CSV export has exactly the rows the page renders
    export = teacher_client.get(reverse("teacher:class_export", args=[tenant_a.classroom.pk]) + "?table=progress")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == page.context["progress_headers"]
    assert rows[1:] == [cells for _, cells in page.context["progress_rows"]]
    for cells in rows[1:]:
        assert all(str(c) in html for c in cells[2:9])
    heat = list(csv.reader(io.StringIO(teacher_client.get(
        reverse("teacher:class_export", args=[tenant_a.classroom.pk]) + "?table=heatmap").content.decode())))
    assert len(heat) == 1 + len(students)
    assert all(label in html for row in heat[1:] for label in row[1:])


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["class", "class_export", "student"])
def test_query_count_does_not_grow_with_class_size(teacher_client, tenant_a, page):
    # given a class of 3 students with activity
    students = _class_with_students(tenant_a, 3)
    topics = make_topics(2)
    _seed_activity(tenant_a.classroom, students, topics)
    args = [tenant_a.classroom.pk] + ([tenant_a.student.pk] if page == "student" else [])
    url = reverse(f"teacher:{page}", args=args)
    teacher_client.get(url)  # the first request of a session does one-off session bookkeeping
    small = _count_queries(teacher_client, url)
    # when the class grows to 12 students with more activity each
    more = [StudentFactory(school=tenant_a.school) for _ in range(9)]
    for s in more:
        EnrollmentFactory(classroom=tenant_a.classroom, student=s)
    _seed_activity(tenant_a.classroom, [*more, tenant_a.student], make_topics(2))
    # then the page issues the same number of queries
    assert _count_queries(teacher_client, url) == small


def test_class_page_query_count_is_fixed(teacher_client, tenant_a, django_assert_num_queries):
    """16 queries of its own: class, roster, 4 activity tables, assignments (+ chosen students), topics,
    dismissals, one bulk access-audit insert, teachers, invitations, blocks, pins, lessons received, safety."""
    students = _class_with_students(tenant_a, 5)
    _seed_activity(tenant_a.classroom, students, make_topics(3))
    url = reverse("teacher:class", args=[tenant_a.classroom.pk])
    teacher_client.get(url)  # warm the session
    # the middleware's share (session, user, ...) measured on the class list, which runs 1 query itself
    overhead = _count_queries(teacher_client, reverse("teacher:classes")) - 1
    with django_assert_num_queries(overhead + 16):
        teacher_client.get(url)


def test_lesson_oversight_shows_exact_lesson_and_pins_and_blocks(teacher_client, tenant_a, tenant_b):
    [topic] = make_topics(1)
    interest = make_interest("Basketball")
    lesson = make_lesson(topic)
    make_request(tenant_a.student, lesson, interest=interest)
    safety_event(tenant_a.student)
    url = reverse("teacher:lesson", args=[tenant_a.classroom.pk, lesson.pk])
    html = teacher_client.get(url).content.decode()
    for expected in ("Picture a free throw.", "Question 1?", "Readability grade", "Physics 4.2", "lesson.vtt",
                     "Inertia keeps the ball rolling."):
        assert expected in html
    action = reverse("teacher:lesson_action", args=[tenant_a.classroom.pk, lesson.pk])
    teacher_client.post(action, {"action": "pin"})
    assert PinnedLesson.objects.get(classroom=tenant_a.classroom).lesson == lesson
    teacher_client.post(action, {"action": "block", "interest": interest.pk, "reason": "stereotyped"})
    assert LessonBlock.objects.get(classroom=tenant_a.classroom).interest == interest
    class_page = teacher_client.get(reverse("teacher:class", args=[tenant_a.classroom.pk])).content.decode()
    assert "Violence" in class_page
    assert "stereotyped" in class_page
    # a lesson nobody in the class received is a 404, as is another district's class
    other = make_lesson(topic, interest="Music")
    make_request(tenant_b.student, other)
    assert teacher_client.get(reverse("teacher:lesson", args=[tenant_a.classroom.pk, other.pk])).status_code == 404
    assert teacher_client.get(reverse("teacher:lesson", args=[tenant_b.classroom.pk, lesson.pk])).status_code == 404


def test_student_detail_timeline(teacher_client, tenant_a):
    # in the class for a month: everything below happened while enrolled (what the teacher may see)
    Enrollment.objects.filter(classroom=tenant_a.classroom).update(joined_at=timezone.now() - timedelta(days=30))
    [topic] = make_topics(1)
    lesson = make_lesson(topic)
    make_request(tenant_a.student, lesson, question="Why does the puck slide?")
    watch(tenant_a.student, lesson, fraction=0.5)
    answer_quiz(tenant_a.student, lesson, correct=3)
    html = teacher_client.get(reverse("teacher:student", args=[tenant_a.classroom.pk, tenant_a.student.pk])
                              ).content.decode()
    assert "Why does the puck slide?" in html
    assert "Quiz on Topic" in html
    assert "75%" in html
    assert "reached 50%" in html


def test_lesson_page_renders_pipeline_shaped_citations(teacher_client, tenant_a):
    from content.tests.student_fixtures import make_catalogue
    from content.tests.student_fixtures import make_lesson as make_media_lesson

    lesson = make_media_lesson(make_catalogue()["newton1"])
    make_request(tenant_a.student, lesson)
    page = teacher_client.get(reverse("teacher:lesson", args=[tenant_a.classroom.pk, lesson.pk]))
    assert page.status_code == 200
    assert "Physics, 14.2" in page.content.decode()


def test_regenerate_retires_the_lesson_and_starts_a_fresh_one(teacher_client, tenant_a,
                                                              django_capture_on_commit_callbacks):
    # given a finished lesson a student of the class received
    from content.models import Lesson

    [topic] = make_topics(1)
    lesson = make_lesson(topic)
    make_request(tenant_a.student, lesson)
    key = lesson.reuse_key
    # when the teacher asks for it to be regenerated
    action = reverse("teacher:lesson_action", args=[tenant_a.classroom.pk, lesson.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        teacher_client.post(action, {"action": "regenerate"})
    # then the old lesson keeps serving its student but is no longer reused, and a new job is queued
    lesson.refresh_from_db()
    fresh = Lesson.objects.get(reuse_key=key)
    assert fresh.pk != lesson.pk
    assert fresh.stage == Lesson.Stage.SCRIPTING
    assert lesson.reuse_key != key
    assert lesson.stage == Lesson.Stage.READY
    assert len(callbacks) == 1  # the scripting task, enqueued on commit
