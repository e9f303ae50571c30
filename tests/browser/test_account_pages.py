"""Account pages in real Chromium under the real CSP: sign in, devices, invite, reset, lockout — axe-clean."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Invitation

from .conftest import audit, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_account_pages_are_accessible_and_work_under_csp(page, tenant_a):
    page.goto("/accounts/login/")
    audit(page, "account-login", fits_phone=True)
    # a wrong password shows an error announced to screen readers
    page.get_by_label("Email").fill(tenant_a.teacher.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").first.is_visible()
    audit(page, "account-login-error", fits_phone=True)
    sign_in(page, tenant_a.teacher.email, tenant_a.password)
    assert page.url.endswith("/teacher/")
    for name, path in (("account-sessions", "/accounts/sessions/"), ("account-invite", "/accounts/invitations/new/"),
                       ("account-preferences", "/accounts/preferences/"),
                       ("account-password-change", "/accounts/password/change/")):
        page.goto(path)
        audit(page, name, fits_phone=True)
    page.goto("/accounts/sessions/")
    page.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url("**/accounts/login/")


def test_public_account_pages_are_accessible(page, tenant_a):
    invitation = services.invite_user(actor=tenant_a.teacher, email="kid@student.school-a.edu", role="student",
                                      classroom=tenant_a.classroom)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=services.hash_token("browser-token"))
    for name, path in (("account-accept-invitation", "/accounts/invitations/browser-token/"),
                       ("account-invitation-invalid", "/accounts/invitations/nope/"),
                       ("account-password-reset", "/accounts/password/reset/")):
        page.goto(path)
        audit(page, name, fits_phone=True)
    # lockout page
    for _ in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(tenant_a.student.email)
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(tenant_a.student.email)
    page.get_by_label("Password").fill(tenant_a.password)
    page.get_by_role("button", name="Sign in").click()
    assert "Sign-in is paused" in page.content()
    audit(page, "account-locked-out", fits_phone=True)
