"""Issue 15, finding 9: invitations and class enrolment stay inside the inviter's tenant.

- inviting an address answers the same whether or not an account exists outside the inviter's scope;
- it revokes only the inviter's own earlier invitations, never another district's;
- a teacher cannot put an existing student in a class: the student accepts, signed in, or uses the code.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation
from accounts.tests.factories import StudentFactory
from schools.models import Enrollment
from schools.tenancy import Role
from schools.tests.factories import SchoolFactory
from vividly.celery import app

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- no account lookup across tenants --------------------------------------------------------------

def test_admin_invite_page_answers_the_same_for_a_foreign_account_and_a_new_address(tenant_a, tenant_b):
    client = _client(tenant_a.school_admin)
    answers = []
    for email in (tenant_b.teacher.email, "brand.new@school-a.edu"):
        response = client.post(reverse("invitation-new"), {"email": email, "role": Role.TEACHER,
                                                           "school": tenant_a.school.pk}, follow=True)
        answers.append((response.status_code, [m.replace(email, "@") for m in _flash(response)]))
    assert answers[0] == answers[1]
    assert answers[0][1] == ["Invitation sent to @."]
    assert Invitation.objects.filter(email=tenant_b.teacher.email, district=tenant_a.district).exists()


def test_an_account_in_the_inviters_own_scope_is_still_reported(tenant_a):
    client = _client(tenant_a.school_admin)
    response = client.post(reverse("invitation-new"), {"email": tenant_a.teacher.email, "role": Role.TEACHER,
                                                       "school": tenant_a.school.pk})
    assert "already has an account" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_no_email_goes_to_an_account_that_could_never_accept(tenant_a, tenant_b, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    services.invite_user(actor=tenant_a.school_admin, email=tenant_b.teacher.email, role=Role.TEACHER)
    services.invite_user(actor=tenant_a.teacher, email=tenant_b.student.email, role=Role.STUDENT,
                         classroom=tenant_a.classroom)
    assert mail.outbox == []


def test_teacher_invite_answers_the_same_for_another_districts_student(tenant_a, tenant_b):
    client = _client(tenant_a.teacher)
    url = reverse("teacher:invite", args=[tenant_a.classroom.pk])
    answers = []
    for email in (tenant_b.student.email, "nobody.yet@student.school-a.edu"):
        response = client.post(url, {"emails-emails": email}, follow=True)
        answers.append((response.status_code, response.redirect_chain, _flash(response)))
    assert answers[0] == answers[1]
    assert answers[0][2] == ["1 invited by email."]


# --- revocation is scoped -----------------------------------------------------------------------

def test_inviting_does_not_revoke_another_districts_pending_invitation(tenant_a, tenant_b):
    theirs = services.invite_user(actor=tenant_b.school_admin, email="shared@example.org", role=Role.TEACHER)
    services.invite_user(actor=tenant_a.school_admin, email="shared@example.org", role=Role.TEACHER)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_inviting_does_not_revoke_a_colleagues_class_invitation(tenant_a):
    other_class = type(tenant_a.classroom).objects.create(school=tenant_a.school, name="Chem A",
                                                          subject="chemistry")
    colleague = type(tenant_a.teacher).objects.create_user("colleague@school-a.edu", "x", role=Role.TEACHER,
                                                           school=tenant_a.school)
    other_class.teachers.add(colleague)
    theirs = services.invite_user(actor=colleague, email="kid@student.school-a.edu", role=Role.STUDENT,
                                  classroom=other_class)
    services.invite_user(actor=tenant_a.teacher, email="kid@student.school-a.edu", role=Role.STUDENT,
                         classroom=tenant_a.classroom)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_a_new_invitation_replaces_the_inviters_own_earlier_one(tenant_a):
    first = services.invite_user(actor=tenant_a.teacher, email="kid@student.school-a.edu", role=Role.STUDENT,
                                 classroom=tenant_a.classroom)
    services.invite_user(actor=tenant_a.teacher, email="kid@student.school-a.edu", role=Role.STUDENT,
                         classroom=tenant_a.classroom)
    first.refresh_from_db()
    assert first.revoked_at is not None


# --- enrolment needs the student's say --------------------------------------------------------------

@pytest.fixture
def other_school_student(tenant_a):
    school = SchoolFactory(district=tenant_a.district, name="North A", domain="north-a.edu")
    return StudentFactory(school=school, email="sam@student.north-a.edu")


def test_teacher_cannot_enrol_an_existing_student_by_email(tenant_a, other_school_student):
    teacher = _client(tenant_a.teacher)
    teacher.post(reverse("teacher:invite", args=[tenant_a.classroom.pk]),
                 {"emails-emails": other_school_student.email})
    assert not Enrollment.objects.filter(student=other_school_student).exists()
    detail = reverse("teacher:student", args=[tenant_a.classroom.pk, other_school_student.pk])
    assert teacher.get(detail).status_code == 404
    api = teacher.get(f"/api/v1/classes/{tenant_a.classroom.pk}/roster/")
    assert other_school_student.email not in api.content.decode()


def test_the_student_accepts_the_class_invitation_signed_in(tenant_a, other_school_student):
    services.invite_user(actor=tenant_a.teacher, email=other_school_student.email, role=Role.STUDENT,
                         classroom=tenant_a.classroom)
    student = _client(other_school_student)
    page = student.get(reverse("student:onboarding"))
    assert f"Join {tenant_a.classroom.name}" in page.content.decode()
    invitation = Invitation.objects.get(email=other_school_student.email)
    response = student.post(reverse("class-invitation-answer", args=[invitation.pk]), {"answer": "join"})
    assert response.status_code == 302
    assert Enrollment.objects.filter(classroom=tenant_a.classroom, student=other_school_student).exists()
    invitation.refresh_from_db()
    assert (invitation.accepted_at is not None, invitation.user) == (True, other_school_student)
    # used once
    again = student.post(reverse("class-invitation-answer", args=[invitation.pk]), {"answer": "join"})
    assert again.status_code == 404


def test_declining_leaves_the_student_out(tenant_a, other_school_student):
    invitation = services.invite_user(actor=tenant_a.teacher, email=other_school_student.email,
                                      role=Role.STUDENT, classroom=tenant_a.classroom)
    _client(other_school_student).post(reverse("class-invitation-answer", args=[invitation.pk]),
                                       {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not Enrollment.objects.filter(student=other_school_student).exists()


def test_nobody_else_can_answer_a_class_invitation(tenant_a, tenant_b, other_school_student):
    invitation = services.invite_user(actor=tenant_a.teacher, email=other_school_student.email,
                                      role=Role.STUDENT, classroom=tenant_a.classroom)
    url = reverse("class-invitation-answer", args=[invitation.pk])
    missing = reverse("class-invitation-answer", args=[invitation.pk + 10_000])
    for user in (tenant_a.student, tenant_b.student):
        client = _client(user)
        refused, absent = client.post(url, {"answer": "join"}), client.post(missing, {"answer": "join"})
        assert (refused.status_code, refused.content) == (absent.status_code, absent.content) == (404, absent.content)
    for user in (tenant_a.teacher, tenant_a.school_admin):
        assert _client(user).post(url, {"answer": "join"}).status_code == 403
    assert not Enrollment.objects.filter(student=other_school_student).exists()


def test_another_districts_student_cannot_accept_even_with_the_address(tenant_a, tenant_b):
    """An invitation sent to a foreign account is inert: it never shows up for that student."""
    services.invite_user(actor=tenant_a.teacher, email=tenant_b.student.email, role=Role.STUDENT,
                         classroom=tenant_a.classroom)
    assert not services.pending_class_invitations(tenant_b.student).exists()


def test_the_emailed_link_takes_an_existing_student_to_the_join_page(tenant_a, other_school_student):
    services.invite_user(actor=tenant_a.teacher, email=other_school_student.email, role=Role.STUDENT,
                         classroom=tenant_a.classroom)
    invitation = Invitation.objects.get(email=other_school_student.email)
    token = "known-token-for-test"
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.hash_token(token))
    response = Client().get(reverse("invitation-accept", args=[token]))
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("student:onboarding") + "#class-invitations")


def test_expired_class_invitations_are_not_offered(tenant_a, other_school_student):
    invitation = services.invite_user(actor=tenant_a.teacher, email=other_school_student.email,
                                      role=Role.STUDENT, classroom=tenant_a.classroom)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert not services.pending_class_invitations(other_school_student).exists()
