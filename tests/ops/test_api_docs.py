"""Finding 10: /api/schema/ and /api/docs/ are for staff, unless API_DOCS_PUBLIC (never by default in production)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
DOCS = ("/api/schema/", "/api/docs/")


@pytest.mark.parametrize("url", DOCS)
def test_anonymous_visitors_and_students_are_refused(tenant_a, url):
    assert Client().get(url).status_code in {401, 403}
    student = Client()
    student.force_login(tenant_a.student)
    assert student.get(url).status_code == 403


@pytest.mark.parametrize("url", DOCS)
@pytest.mark.parametrize("role", ["teacher", "school_admin", "district_admin"])
def test_staff_read_the_docs(tenant_a, url, role):
    client = Client()
    client.force_login(getattr(tenant_a, role))
    response = client.get(url)
    assert response.status_code == 200
    if url == "/api/schema/":
        assert b"/api/v1/lessons/" in response.content


def test_api_docs_public_opens_them_to_everyone(settings):
    settings.API_DOCS_PUBLIC = True
    assert Client().get("/api/schema/").status_code == 200
