"""Hunt (issue 15): absolute links in e-mails come from SITE_URL, never from the request's Host header."""

import pytest
from django.test import Client

from .conftest import html_and_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_password_reset_link_ignores_a_hostile_host_header(email_via_smtp, tenant_a, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]  # even if an operator allowed a second name
    response = Client().post("/accounts/password/reset/", {"email": tenant_a.student.email},
                             HTTP_HOST="evil.example")
    assert response.status_code == 302
    (message,) = email_via_smtp.wait_for(1)
    html, text = html_and_text(message)
    for part in (html, text, str(message["List-Unsubscribe"] or "")):
        assert "evil.example" not in part
    assert f"{settings.SITE_URL.rstrip('/')}/accounts/password/reset/" in text
