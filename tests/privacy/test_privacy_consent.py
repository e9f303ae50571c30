"""Age and consent: under-13 students (DOB, else grade + 5) need a recorded school consent."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from accounts.privacy import selectors, services
from accounts.privacy.models import ConsentRecord
from content.models import LessonRequest

pytestmark = pytest.mark.django_db

ASK = {"question": "Why do heavy objects fall at the same speed?"}


@pytest.fixture
def sixth_grader(tenant_a):
    student = tenant_a.student
    student.grade_level = 6  # 6 + 5 = 11 years old
    student.save()
    return student


def test_age_from_date_of_birth_else_grade_plus_five(tenant_a):
    student = tenant_a.student
    with time_machine.travel(date(2026, 9, 1)):
        student.grade_level, student.date_of_birth = 7, None
        assert selectors.age_of(student) == 12
        assert selectors.is_under_13(student)
        student.date_of_birth = date(2013, 8, 31)  # turned 13 yesterday: DOB wins over the grade
        assert selectors.age_of(student) == 13
        assert not selectors.is_under_13(student)
        student.date_of_birth = date(2013, 9, 2)
        assert selectors.age_of(student) == 12
        student.grade_level, student.date_of_birth = None, None
        assert selectors.is_under_13(student)  # unknown age: treated as a child


def test_under_13_without_consent_cannot_request_lessons_by_api(sixth_grader, api_client_for):
    assert services.can_request_lessons(sixth_grader) == (False, "consent_required")
    response = api_client_for(sixth_grader).post(reverse("lesson-request-list"), ASK, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert LessonRequest.objects.count() == 0


def test_recorded_consent_lets_them_request_and_revoking_stops_it(sixth_grader, tenant_a, api_client_for):
    services.record_consent(student=sixth_grader, actor=tenant_a.school_admin, reference="DPA-2026-07")
    assert services.can_request_lessons(sixth_grader) == (True, "")
    response = api_client_for(sixth_grader).post(reverse("lesson-request-list"), ASK, format="json")
    assert response.status_code == 202, response.content
    assert LessonRequest.objects.filter(student=sixth_grader).count() == 1
    services.revoke_consent(student=sixth_grader)
    assert services.can_request_lessons(sixth_grader) == (False, "consent_required")


def test_thirteen_and_over_need_no_consent(tenant_a):
    assert tenant_a.student.grade_level == 10
    assert services.can_request_lessons(tenant_a.student) == (True, "")
    assert not ConsentRecord.objects.exists()


def test_the_web_ask_page_refuses_too(sixth_grader, client):
    client.force_login(sixth_grader)
    response = client.post(reverse("student:ask"), ASK, follow=True)
    assert LessonRequest.objects.count() == 0
    assert "needs to confirm permission" in response.content.decode()


def test_soft_deleted_students_cannot_request(tenant_a):
    services.soft_delete_student(student=tenant_a.student)
    assert services.can_request_lessons(tenant_a.student) == (False, "account_inactive")
