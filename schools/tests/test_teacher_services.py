"""Class, roster, invitation, assignment and oversight services; selectors the pipeline calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Invitation
from accounts.tests.factories import StudentFactory, TeacherFactory
from content.models import PinnedLesson
from schools import selectors, services
from schools.models import Enrollment

from .teacher_fixtures import make_interest, make_lesson, make_topics


def test_create_classroom_puts_teacher_in_charge(tenant_a):
    classroom = services.create_classroom(actor=tenant_a.teacher, name=" Bio 2 ", subject="biology",
                                          grade_band="9-10", period="P2")
    assert classroom.school == tenant_a.school
    assert list(classroom.teachers.all()) == [tenant_a.teacher]
    assert classroom.name == "Bio 2"
    assert classroom.join_code.startswith("BIOL-")


def test_student_cannot_create_classroom(tenant_a):
    with pytest.raises(PermissionDenied):
        services.create_classroom(actor=tenant_a.student, name="x", subject="physics", grade_band="9-10")


def test_other_teacher_cannot_change_class(tenant_a):
    stranger = TeacherFactory(school=tenant_a.school)
    with pytest.raises(PermissionDenied):
        services.set_archived(actor=stranger, classroom=tenant_a.classroom, archived=True)


def test_archive_hides_class_from_list(tenant_a):
    services.set_archived(actor=tenant_a.teacher, classroom=tenant_a.classroom, archived=True)
    assert list(selectors.classes_for(tenant_a.teacher)) == []
    assert list(selectors.classes_for(tenant_a.teacher, archived=True)) == [tenant_a.classroom]


def test_regenerate_join_code_changes_it(tenant_a):
    old = tenant_a.classroom.join_code
    assert services.regenerate_join_code(actor=tenant_a.teacher, classroom=tenant_a.classroom) != old


def test_co_teacher_must_be_in_same_school(tenant_a, tenant_b):
    colleague = TeacherFactory(school=tenant_a.school, email="colleague@school-a.edu")
    services.add_co_teacher(actor=tenant_a.teacher, classroom=tenant_a.classroom, email="COLLEAGUE@school-a.edu")
    assert colleague in tenant_a.classroom.teachers.all()
    with pytest.raises(ValidationError):
        services.add_co_teacher(actor=tenant_a.teacher, classroom=tenant_a.classroom, email=tenant_b.teacher.email)
    services.remove_co_teacher(actor=tenant_a.teacher, classroom=tenant_a.classroom, teacher=colleague)
    with pytest.raises(ValidationError):
        services.remove_co_teacher(actor=tenant_a.teacher, classroom=tenant_a.classroom, teacher=tenant_a.teacher)


@pytest.mark.django_db(transaction=True)
def test_invite_emails_new_and_existing_students_and_enrols_nobody(tenant_a, monkeypatch):
    from vividly.celery import app

    # send in-process (the accounts issue's own tests cover the real worker + SMTP path)
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    existing = StudentFactory(school=tenant_a.school, email="kim@student.school-a.edu")
    outcome = services.invite_students(actor=tenant_a.teacher, classroom=tenant_a.classroom, rows=[
        services.InviteRow(email="Kim@student.school-a.edu"), services.InviteRow(email="new@student.school-a.edu"),
        services.InviteRow(email=tenant_a.student.email)])
    assert outcome.invited == [existing.email, "new@student.school-a.edu"]
    assert outcome.already == [tenant_a.student.email]
    assert not Enrollment.objects.filter(student=existing).exists()  # joins only when Kim accepts
    invitation = Invitation.objects.get(email="new@student.school-a.edu")
    assert invitation.classroom == tenant_a.classroom
    assert sorted(m.to[0] for m in mail.outbox) == [existing.email, "new@student.school-a.edu"]
    kim_mail = next(m for m in mail.outbox if m.to == [existing.email])
    assert "join the class" in kim_mail.body


def test_invite_is_all_or_nothing(tenant_a):
    with pytest.raises(ValidationError) as exc:
        services.invite_students(actor=tenant_a.teacher, classroom=tenant_a.classroom, rows=[
            services.InviteRow(email="fresh@student.school-a.edu"), services.InviteRow(email="not-an-email")])
    assert "not-an-email" in str(exc.value)
    assert not Invitation.objects.exists()


def test_csv_preview_reports_each_bad_row_and_creates_nothing(tenant_a, tenant_b):
    text = ("email,first_name,last_name\n"
            "ok@student.school-a.edu,Ok,Row\n"
            "not-an-email,Bad,Row\n"
            "ok@student.school-a.edu,Dup,Row\n"
            f"{tenant_b.student.email},Foreign,Row\n"
            f"{tenant_a.student.email},Already,Here\n"
            ",Missing,Email\n")
    preview = services.preview_invite_csv(classroom=tenant_a.classroom, text=text)
    errors = {row.line: row.errors for row in preview.rows}
    assert errors[2] == []
    assert errors[3] == ["Not a valid email address."]
    assert errors[4] == ["Duplicate of an earlier row."]
    assert errors[5] == []  # another district's account looks like any new address (finding 9)
    assert errors[6] == ["Already in this class."]
    assert errors[7] == ["Email is missing."]
    assert not preview.is_confirmable
    assert not Invitation.objects.exists()


def test_csv_without_email_header_is_rejected(tenant_a):
    preview = services.preview_invite_csv(classroom=tenant_a.classroom, text="name\nBob\n")
    assert preview.file_errors
    assert not preview.is_confirmable


def test_csv_token_round_trip_and_tamper(tenant_a):
    preview = services.preview_invite_csv(classroom=tenant_a.classroom, text="email\nz@student.school-a.edu\n")
    assert preview.is_confirmable
    assert services.rows_from_token(preview.token()) == [services.InviteRow(email="z@student.school-a.edu")]
    with pytest.raises(ValidationError):
        services.rows_from_token(preview.token() + "x")


def test_remove_student(tenant_a):
    services.remove_student(actor=tenant_a.teacher, classroom=tenant_a.classroom, student=tenant_a.student)
    assert not Enrollment.objects.filter(classroom=tenant_a.classroom).exists()


def test_assignment_to_chosen_students_must_be_enrolled(tenant_a, tenant_b):
    [topic] = make_topics(1)
    due = timezone.now() + timedelta(days=3)
    assignment = services.create_assignment(actor=tenant_a.teacher, classroom=tenant_a.classroom, topic=topic,
                                            due_at=due, students=[tenant_a.student])
    assert list(assignment.students.all()) == [tenant_a.student]
    with pytest.raises(ValidationError):
        services.create_assignment(actor=tenant_a.teacher, classroom=tenant_a.classroom, topic=topic, due_at=due,
                                   students=[tenant_b.student])


def test_block_pairing_is_seen_by_pipeline_selectors(tenant_a, tenant_b):
    [topic] = make_topics(1)
    interest = make_interest("Basketball")
    assert not selectors.is_pairing_blocked(student=tenant_a.student, topic=topic, interest=interest)
    services.block_pairing(actor=tenant_a.teacher, classroom=tenant_a.classroom, topic=topic, interest=interest)
    assert selectors.is_pairing_blocked(student=tenant_a.student, topic=topic.pk, interest=interest.pk)
    assert selectors.blocked_interest_ids_for(student=tenant_a.student, topic=topic) == {interest.pk}
    assert not selectors.is_pairing_blocked(student=tenant_b.student, topic=topic, interest=interest)


def test_pin_lesson_replaces_earlier_pin_and_is_seen_by_pipeline(tenant_a, tenant_b):
    [topic] = make_topics(1)
    first, second = make_lesson(topic), make_lesson(topic, interest="Music")
    services.pin_lesson(actor=tenant_a.teacher, classroom=tenant_a.classroom, lesson=first)
    services.pin_lesson(actor=tenant_a.teacher, classroom=tenant_a.classroom, lesson=second)
    assert PinnedLesson.objects.count() == 1
    assert selectors.pinned_lesson_for(tenant_a.classroom, topic) == second
    assert selectors.pinned_lesson_for_student(student=tenant_a.student, topic=topic) == second
    assert selectors.pinned_lesson_for_student(student=tenant_b.student, topic=topic) is None


def test_unfinished_lesson_cannot_be_pinned(tenant_a):
    [topic] = make_topics(1)
    with pytest.raises(ValidationError):
        services.pin_lesson(actor=tenant_a.teacher, classroom=tenant_a.classroom,
                            lesson=make_lesson(topic, ready=False))


def test_dismiss_signal_requires_enrolled_student_and_known_kind(tenant_a, tenant_b):
    services.dismiss_signal(actor=tenant_a.teacher, classroom=tenant_a.classroom, student=tenant_a.student,
                            kind="inactive", fingerprint="never")
    assert selectors.dismissed_fingerprints(tenant_a.classroom) == {(tenant_a.student.pk, "inactive", "never")}
    with pytest.raises(ValidationError):
        services.dismiss_signal(actor=tenant_a.teacher, classroom=tenant_a.classroom, student=tenant_b.student,
                                kind="inactive", fingerprint="never")
    with pytest.raises(ValidationError):
        services.dismiss_signal(actor=tenant_a.teacher, classroom=tenant_a.classroom, student=tenant_a.student,
                                kind="made_up", fingerprint="x")
