"""Emails through a real Celery worker and a real SMTP server (aiosmtpd); invitation and reset flows."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client

from accounts import emails, services
from accounts.models import Invitation, SecurityEvent, User
from accounts.tests.conftest import html_and_text
from accounts.tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "Quiet-Meadow-Lantern-19"

CONTEXTS = {
    "student_invitation": {"first_name": "Maya", "inviter_name": "Ms. Rivera", "accept_url": "https://v.test/a/1",
                           "expires_at": "December 2, 2026", "classroom_name": "Physics 9"},
    "teacher_welcome": {"first_name": "Sam", "inviter_name": "Dr. Lee", "accept_url": "https://v.test/a/2",
                        "expires_at": "December 2, 2026", "school_name": "Hillsboro High"},
    "admin_welcome": {"first_name": "Ada", "inviter_name": "Root", "accept_url": "https://v.test/a/3",
                      "expires_at": "December 2, 2026", "role_label": "a school administrator",
                      "organisation_name": "Hillsboro High"},
    "password_reset": {"first_name": "Maya", "reset_url": "https://v.test/r/1", "valid_hours": 24},
    "content_ready": {"student_first_name": "Maya", "lesson_title": 'Newton\'s "Laws" & you',
                      "lesson_url": "https://v.test/lessons/42/"},
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("template", sorted(emails.TEMPLATES))
def test_every_email_arrives_over_smtp_with_html_and_text_parts(email_via_smtp, template):
    # when an email is queued inside a transaction
    with transaction.atomic():
        emails.queue_email(template=template, to="maya@student.school-a.edu", context=CONTEXTS[template])
    # then the worker sends it through the SMTP server with both parts
    (message,) = email_via_smtp.wait_for(1)
    assert message["To"] == "maya@student.school-a.edu"
    html, text = html_and_text(message)
    link = next(v for k, v in CONTEXTS[template].items() if k.endswith("_url"))
    assert link in html
    assert link in text
    assert "Vividly" in html
    assert "Vividly" in text
    assert 'style="' in html                     # CSS inlined
    assert "@media" in html                      # responsive rules kept
    assert 'lang="en"' in html
    assert 'role="presentation"' in html
    assert "<" not in text.replace("<http", "")  # plain text has no markup
    if template == "content_ready":
        assert "Newton's \"Laws\" & you" in message["Subject"]
        assert "Unsubscribe" in html
        assert "/accounts/email/unsubscribe/" in text
        assert message["List-Unsubscribe"]
    else:
        assert "/accounts/email/unsubscribe/" not in html


@pytest.mark.django_db
def test_unknown_template_is_refused():
    with pytest.raises(emails.UnknownEmailTemplate):
        emails.queue_email(template="nope", to="a@b.org", context={})


@pytest.mark.django_db
def test_unsubscribe_link_switches_off_lesson_emails_only(tenant_a):
    message = emails.build_message(template="content_ready", to=tenant_a.student.email,
                                   context=CONTEXTS["content_ready"])
    url = re.search(r"https?://[^\s\"]+/accounts/email/unsubscribe/[^\s\"/]+/", message.body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert Client().post("/" + path).status_code == 200
    student = User.objects.get(pk=tenant_a.student.pk)
    assert student.notification_emails_enabled is False
    assert emails.recipient_opted_out(template="content_ready", to=student.email)
    assert not emails.recipient_opted_out(template="password_reset", to=student.email)
    assert Client().get("/accounts/email/unsubscribe/forged-token/").status_code == 400


def _link(message, pattern):
    _, text = html_and_text(message)
    return re.search(pattern, text).group(0)


@pytest.mark.django_db(transaction=True)
def test_teacher_invites_a_student_who_sets_a_password_and_signs_in(email_via_smtp, tenant_a):
    teacher = Client()
    teacher.force_login(tenant_a.teacher)
    # given a teacher inviting a student to their class
    response = teacher.post("/accounts/invitations/new/", {
        "email": "New.Kid@Student.School-A.edu", "first_name": "Noa", "last_name": "Kid",
        "role": "student", "classroom": tenant_a.classroom.pk})
    assert response.status_code == 302
    (message,) = email_via_smtp.wait_for(1)
    assert message["To"] == "new.kid@student.school-a.edu"
    accept_url = _link(message, r"https?://\S+/accounts/invitations/[\w-]+/")
    accept_path = "/" + accept_url.split("://", 1)[1].split("/", 1)[1]
    # when the student opens the link and sets a password
    student = Client()
    assert student.get(accept_path).status_code == 200
    weak = student.post(accept_path, {"password1": "password", "password2": "password"})
    assert weak.status_code == 200
    assert "too common" in weak.content.decode()
    done = student.post(accept_path, {"first_name": "Noa", "last_name": "Kid",
                                      "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    # then the account exists in the teacher's class and can sign in
    user = User.objects.get(email="new.kid@student.school-a.edu")
    assert user.role == "student"
    assert user.school == tenant_a.school
    assert user.enrollments.filter(classroom=tenant_a.classroom).exists()
    login = Client().post("/accounts/login/", {"username": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == "/student/"
    # and the link is single-use
    assert Client().get(accept_path).status_code == 400
    assert SecurityEvent.objects.filter(kind="invitation_accepted", target=user).exists()


@pytest.mark.django_db
def test_invitation_links_expire_after_seven_days(tenant_a):
    with transaction.atomic():
        invitation = services.invite_user(actor=tenant_a.teacher, email="late@student.school-a.edu",
                                          role="student", classroom=tenant_a.classroom)
    # only the hash is stored; give this row a token the test knows
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.hash_token("known-token"))
    token = "known-token"
    assert Client().get(f"/accounts/invitations/{token}/").status_code == 200
    with time_machine.travel(timedelta(days=7, minutes=1)):
        assert Client().get(f"/accounts/invitations/{token}/").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "x", "a" * 5000, "ünïcødé", "../../etc/passwd", "%00"])
def test_bad_invitation_tokens_get_400_never_500(token):
    response = Client().get(f"/accounts/invitations/{token}/")
    assert response.status_code in (400, 404)
    response = Client().post(f"/accounts/invitations/{token}/", {"password1": "x", "password2": "x"})
    assert response.status_code in (400, 404)


@pytest.mark.django_db
@pytest.mark.parametrize(("inviter", "role", "allowed"), [
    ("student", "student", False),
    ("teacher", "student", True),
    ("teacher", "teacher", False),
    ("school_admin", "teacher", True),
    ("school_admin", "school_admin", False),
    ("district_admin", "school_admin", True),
    ("district_admin", "district_admin", False),
])
def test_who_may_invite_whom(tenant_a, inviter, role, allowed):
    client = Client()
    client.force_login(getattr(tenant_a, inviter))
    data = {"email": f"{role}.new@school-a.edu", "role": role, "school": tenant_a.school.pk,
            "classroom": tenant_a.classroom.pk if role == "student" else ""}
    response = client.post("/accounts/invitations/new/", data)
    assert Invitation.objects.filter(email=data["email"]).exists() is allowed
    if not allowed:
        assert response.status_code in (200, 403)


@pytest.mark.django_db
def test_cross_tenant_invitations_are_refused(tenant_a, tenant_b):
    teacher = Client()
    teacher.force_login(tenant_a.teacher)
    teacher.post("/accounts/invitations/new/", {"email": "x@school-a.edu", "role": "student",
                                                "classroom": tenant_b.classroom.pk})
    admin = Client()
    admin.force_login(tenant_a.district_admin)
    admin.post("/accounts/invitations/new/", {"email": "y@school-a.edu", "role": "teacher",
                                              "school": tenant_b.school.pk})
    assert not Invitation.objects.filter(email__in=["x@school-a.edu", "y@school-a.edu"]).exists()


@pytest.mark.django_db(transaction=True)
def test_password_reset_end_to_end_and_never_reveals_whether_email_exists(email_via_smtp, tenant_a):
    pair = Client().post("/api/v1/auth/token/", {"email": tenant_a.student.email, "password": DEFAULT_PASSWORD},
                         content_type="application/json").json()
    # when asking for a reset for an unknown and a known address
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@nowhere.org"})
    known = Client().post("/accounts/password/reset/", {"email": tenant_a.student.email.upper()})
    # then both answers are identical
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == "/accounts/password/reset/done/"
    (message,) = email_via_smtp.wait_for(1)
    assert message["To"] == tenant_a.student.email
    reset_url = _link(message, r"https?://\S+/accounts/password/reset/\S+/\S+/")
    path = "/" + reset_url.split("://", 1)[1].split("/", 1)[1]
    browser = Client()
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().post("/accounts/login/", {"username": tenant_a.student.email,
                                              "password": NEW_PASSWORD}).status_code == 302
    # the old refresh token died with the old password, and the link is single-use
    refreshed = Client().post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]},
                              content_type="application/json")
    assert refreshed.status_code == 401
    assert "invalid" in Client().get(path, follow=True).content.decode()
    assert SecurityEvent.objects.filter(kind="password_reset", target=tenant_a.student).exists()
    assert len(email_via_smtp.messages) == 1  # nothing was sent for the unknown address


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["", "not-an-email", "ü" * 300 + "@x.org", "a@b.c\x00"])
def test_password_reset_form_handles_bad_input(email):
    response = Client().post("/accounts/password/reset/", {"email": email})
    assert response.status_code in (200, 302)
    assert not mail.outbox


@pytest.mark.django_db
def test_invitation_accept_form_handles_hostile_names(tenant_a):
    invitation = services.invite_user(actor=tenant_a.teacher, email="kid2@student.school-a.edu",
                                      role="student", classroom=tenant_a.classroom)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.hash_token("tok"))
    too_long = Client().post("/accounts/invitations/tok/", {
        "first_name": "x" * 500, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert too_long.status_code == 200  # form error, no account
    assert not User.objects.filter(email="kid2@student.school-a.edu").exists()
    # markup and symbols are not names (issue 15): a form error, the value echoed escaped
    hostile = Client().post("/accounts/invitations/tok/", {
        "first_name": "Zoë 🌟", "last_name": "<b>Ngũgĩ</b>", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert hostile.status_code == 200
    assert "<b>Ngũgĩ</b>" not in hostile.content.decode()
    assert "&lt;b&gt;Ngũgĩ&lt;/b&gt;" in hostile.content.decode()
    assert not User.objects.filter(email="kid2@student.school-a.edu").exists()
    ok = Client().post("/accounts/invitations/tok/", {
        "first_name": " Zoë  Anne ", "last_name": "Ngũgĩ wa Thiong’o", "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD})
    assert ok.status_code == 302
    user = User.objects.get(email="kid2@student.school-a.edu")
    assert (user.first_name, user.last_name) == ("Zoë Anne", "Ngũgĩ wa Thiong’o")
