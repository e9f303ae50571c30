"""The permission layer: role gates (pages and API) and the tenant object matrix (404 when foreign)."""

import pytest

from accounts.tests.factories import StudentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("accounts.tests.urls_for_tests")]

ROLES = ["student", "teacher", "school_admin", "district_admin"]
GATES = {"student": {"student"}, "teacher": {"teacher"}, "admin": {"school_admin", "district_admin"}}


@pytest.mark.parametrize("kind", ["f", "c"])
@pytest.mark.parametrize("gate", list(GATES))
@pytest.mark.parametrize("role", ROLES)
def test_page_gates_allow_only_their_roles(client, tenant_a, kind, gate, role):
    # given a signed-in user of `role`
    client.force_login(getattr(tenant_a, role))
    # when they open a page gated for `gate`
    response = client.get(f"/{kind}/{gate}/")
    # then only the matching roles get in; everyone else gets 403
    assert response.status_code == (200 if role in GATES[gate] else 403)


@pytest.mark.parametrize("kind", ["f", "c"])
@pytest.mark.parametrize("gate", list(GATES))
def test_page_gates_send_anonymous_visitors_to_login(client, kind, gate):
    response = client.get(f"/{kind}/{gate}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("gate", list(GATES))
@pytest.mark.parametrize("role", ROLES)
def test_api_permission_classes_allow_only_their_roles(api_client_for, tenant_a, gate, role):
    response = api_client_for(getattr(tenant_a, role)).get(f"/api/{gate}/")
    assert response.status_code == (200 if role in GATES[gate] else 403)


@pytest.mark.parametrize("gate", list(GATES))
def test_api_permission_classes_reject_anonymous_with_401(api_client_for, gate):
    assert api_client_for(None).get(f"/api/{gate}/").status_code == 401


def test_inactive_and_districtless_users_are_denied(client, tenant_a):
    # deny by default: an inactive teacher and a student without a district get nothing
    orphan = StudentFactory(school=None, district=None)
    client.force_login(orphan)
    assert client.get("/f/student/").status_code == 403
    tenant_a.teacher.is_active = False
    tenant_a.teacher.save()
    client.force_login(tenant_a.teacher)
    assert client.get("/f/teacher/").status_code == 302  # inactive → treated as signed out


# role × object: who may read which user (the tenant rules, via get_visible_or_404)
MATRIX_CASES = [
    # (viewer, target, visible)
    ("student", "student", True),     # self
    ("student", "teacher", False),
    ("teacher", "student", True),     # their own student
    ("teacher", "school_admin", False),
    ("school_admin", "student", True),
    ("school_admin", "teacher", True),
    ("district_admin", "student", True),
    ("district_admin", "school_admin", True),
]


@pytest.mark.parametrize(("viewer", "target", "visible"), MATRIX_CASES)
def test_object_access_matrix_within_own_district(client, tenant_a, tenant_b, viewer, target, visible):  # noqa: PLR0917
    client.force_login(getattr(tenant_a, viewer))
    response = client.get(f"/users/{getattr(tenant_a, target).pk}/")
    assert response.status_code == (200 if visible else 404)


@pytest.mark.parametrize("viewer", ROLES)
@pytest.mark.parametrize("target", ROLES)
def test_every_cross_tenant_read_is_404(client, tenant_a, tenant_b, viewer, target):
    client.force_login(getattr(tenant_a, viewer))
    assert client.get(f"/users/{getattr(tenant_b, target).pk}/").status_code == 404


def test_missing_and_foreign_objects_answer_the_same(client, tenant_a, tenant_b):
    client.force_login(tenant_a.district_admin)
    foreign = client.get(f"/users/{tenant_b.student.pk}/")
    missing = client.get("/users/987654321/")
    assert foreign.status_code == missing.status_code == 404
