"""Hunt (issue 15): credentials of other users are never shown in the admin nor kept in task results."""

import re
import time

import pytest
from django.test import Client
from django_celery_results.models import TaskResult

from accounts.models import UserSession


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["school_admin", "district_admin"])
def test_session_admin_does_not_reveal_session_keys(tenant_a, role):
    victim = Client()
    victim.force_login(tenant_a.teacher)
    assert victim.get("/teacher/").status_code == 200  # the devices list tracks this browser
    key = victim.cookies["sessionid"].value
    row = UserSession.objects.get(session_key=key)
    admin = Client()
    admin.force_login(getattr(tenant_a, role))
    changelist = admin.get("/admin/accounts/usersession/")
    detail = admin.get(f"/admin/accounts/usersession/{row.pk}/change/")
    assert changelist.status_code == detail.status_code == 200
    assert str(tenant_a.teacher) in changelist.content.decode()  # the row is there ...
    for page in (changelist, detail):
        assert key not in page.content.decode()  # ... its credential is not


@pytest.mark.django_db(transaction=True)
def test_emailed_links_are_not_kept_in_task_results(email_via_smtp, tenant_a):
    # a password reset goes through the real e-mail worker, which stores its task result
    assert Client().post("/accounts/password/reset/", {"email": tenant_a.student.email}).status_code == 302
    (message,) = email_via_smtp.wait_for(1)
    link = re.search(r"/accounts/password/reset/[^/\s]+/([^/\s]+)/", message.as_string().replace("=\n", ""))
    token = link.group(1)
    deadline = time.monotonic() + 20  # the worker stores its result just after the mail went out
    while not TaskResult.objects.filter(status="SUCCESS", result__contains="sent").exists():
        assert time.monotonic() < deadline, "the e-mail task stored no result"
        time.sleep(0.2)
    stored = list(TaskResult.objects.values())
    for row in stored:
        assert token not in str(row)
        assert tenant_a.student.email not in str(row)
