"""Finding 10: every user-supplied `next` stays on this site (join class, sign-in, sign-out)."""

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD
from schools.tests.factories import ClassroomFactory

pytestmark = pytest.mark.django_db
HOSTILE = ["//evil.example/", "https://evil.example/", "/\\evil.example/", "\\\\evil.example",
           "http:evil.example", " //evil.example", "javascript:alert(1)", "admin:index"]


@pytest.mark.parametrize("target", HOSTILE)
def test_join_class_never_leaves_the_site(tenant_a, target):
    classroom = ClassroomFactory(school=tenant_a.school, name="Chemistry 1", subject="chemistry")
    client = Client()
    client.force_login(tenant_a.student)
    response = client.post("/student/join/", {"code": classroom.join_code, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/student/welcome/"


def test_join_class_follows_a_local_next(tenant_a):
    classroom = ClassroomFactory(school=tenant_a.school, name="Chemistry 2", subject="chemistry")
    client = Client()
    client.force_login(tenant_a.student)
    response = client.post("/student/join/", {"code": classroom.join_code, "next": "/student/lessons/"})
    assert response["Location"] == "/student/lessons/"


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_never_leaves_the_site(tenant_a, target):
    response = Client().post("/accounts/login/", {"username": tenant_a.teacher.email,
                                                  "password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/teacher/"


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_out_never_leaves_the_site(tenant_a, target):
    client = Client()
    client.force_login(tenant_a.teacher)
    response = client.post("/accounts/logout/", {"next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("/")
    assert not response["Location"].startswith(("//", "/\\"))
    assert "evil" not in response["Location"]
