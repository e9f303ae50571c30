"""Onboarding: ranked interests, grade, joining a class by code."""

import pytest
from django.urls import reverse

from accounts.privacy.services import can_request_lessons, record_consent
from content.services.student import normalise_join_code
from content.tests.student_fixtures import make_interests
from schools.models import Enrollment
from schools.tests.factories import ClassroomFactory


@pytest.mark.parametrize(("raw", "expected"), [
    ("phys-4kq-7zd", "PHYS-4KQ-7ZD"), (" PHYS 4KQ 7ZD ", "PHYS-4KQ-7ZD"), ("phys4kq7zd", "PHYS-4KQ-7ZD"),
    ("csci-abc-123", "CSCI-ABC-123"),
])
def test_join_codes_are_normalised(raw, expected):
    assert normalise_join_code(raw) == expected


def test_onboarding_saves_ranked_interests_and_grade(client, tenant_a):
    # given a student without interests
    student = tenant_a.student
    music, gaming, basketball = make_interests(names=("Music", "Gaming", "Basketball"))
    client.force_login(student)
    # when they rank three interests and confirm grade 10
    response = client.post(reverse("student:onboarding"), {
        "choice_1": gaming.pk, "choice_2": music.pk, "choice_3": basketball.pk, "grade_level": 10})
    # then the ranks follow their order and the grade is stored
    assert response.status_code == 302
    ranked = list(student.student_interests.order_by("rank").values_list("interest__name", flat=True))
    assert ranked == ["Gaming", "Music", "Basketball"]
    student.refresh_from_db()
    assert student.grade_level == 10


@pytest.mark.parametrize(("data_case", "message"), [
    ("one_interest", "This field is required"),
    ("duplicate", "only be picked once"),
    ("no_grade", "This field is required"),
])
def test_onboarding_errors_are_inline(client, tenant_a, data_case, message):
    music, gaming, _ = make_interests()
    data = {"choice_1": music.pk, "choice_2": gaming.pk, "grade_level": 9}
    if data_case == "one_interest":
        data.pop("choice_2")
    elif data_case == "duplicate":
        data["choice_2"] = music.pk
    else:
        data.pop("grade_level")
    client.force_login(tenant_a.student)
    response = client.post(reverse("student:onboarding"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode() or data_case == "duplicate"
    assert not tenant_a.student.student_interests.exists()


def test_join_class_by_code_case_insensitive(client, tenant_a):
    other = ClassroomFactory(school=tenant_a.school, name="Chemistry 1", subject="chemistry")
    client.force_login(tenant_a.student)
    response = client.post(reverse("student:join-class"), {"code": other.join_code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert Enrollment.objects.filter(classroom=other, student=tenant_a.student).exists()


@pytest.mark.parametrize(("code_case", "message"), [
    ("garbage", "doesn&#x27;t look like a class code"),
    ("unknown", "couldn&#x27;t find a class"),
    ("other_district", "couldn&#x27;t find a class"),
    ("already", "already in"),
])
def test_join_class_errors(client, tenant_a, tenant_b, code_case, message):
    code = {"garbage": "hello", "unknown": "PHYS-ZZZ-ZZZ", "other_district": tenant_b.classroom.join_code,
            "already": tenant_a.classroom.join_code}[code_case]
    client.force_login(tenant_a.student)
    response = client.post(reverse("student:join-class"), {"code": code})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Enrollment.objects.filter(classroom=tenant_b.classroom, student=tenant_a.student).exists()


def test_student_pages_refuse_other_roles(client, tenant_a):
    client.force_login(tenant_a.teacher)
    assert client.get(reverse("student:dashboard")).status_code == 403
    client.logout()
    assert client.get(reverse("student:dashboard")).status_code == 302


def test_dashboard_sends_new_students_to_onboarding(client, tenant_a):
    client.force_login(tenant_a.student)
    response = client.get(reverse("student:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("student:onboarding")


def test_a_student_cannot_raise_their_grade_past_the_consent_requirement(client, tenant_a):
    """Issue 15 hunt: the under-13 estimate comes from the school's grade, not one the student types."""

    music, gaming, _ = make_interests()
    student = tenant_a.student
    student.grade_level, student.date_of_birth = 7, None  # about 12: lessons need the school's consent
    student.save()
    client.force_login(student)
    response = client.post(reverse("student:onboarding"),
                           {"choice_1": music.pk, "choice_2": gaming.pk, "grade_level": 9})
    assert response.status_code == 400
    assert "has you in grade 7" in response.content.decode()
    student.refresh_from_db()
    assert student.grade_level == 7
    assert can_request_lessons(student) == (False, "consent_required")
    # a change that keeps the requirement is fine, and with consent recorded any grade is
    assert client.post(reverse("student:onboarding"),
                       {"choice_1": music.pk, "choice_2": gaming.pk, "grade_level": 6}).status_code == 302
    record_consent(student=student, actor=tenant_a.school_admin)
    assert client.post(reverse("student:onboarding"),
                       {"choice_1": music.pk, "choice_2": gaming.pk, "grade_level": 9}).status_code == 302
    student.refresh_from_db()
    assert student.grade_level == 9
