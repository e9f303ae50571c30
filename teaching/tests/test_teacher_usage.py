"""District/school usage page: scope per admin role, figures, CSV = page, fixed query count, admin link."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import DistrictAdminFactory, StudentFactory, TeacherFactory
from content.models import DistrictBudget, ProviderCall
from schools.tests.factories import ClassroomFactory, EnrollmentFactory, SchoolFactory
from teaching.usage import usage_for
from tests.support.teacher_fixtures import (
    make_lesson,
    make_request,
    make_topics,
    safety_event,
    watch,
)


@pytest.fixture
def activity(tenant_a, tenant_b):
    """District A: two schools; school A has one active student with a reused lesson; B has its own."""
    other_school = SchoolFactory(district=tenant_a.district, name="Other School")
    other_teacher = TeacherFactory(school=other_school)
    other_student = StudentFactory(school=other_school)
    EnrollmentFactory(classroom=ClassroomFactory(school=other_school, teachers=[other_teacher]),
                      student=other_student)
    [topic] = make_topics(1)
    lesson = make_lesson(topic)
    make_request(tenant_a.student, lesson)
    make_request(tenant_a.student, lesson, reused=True)
    watch(tenant_a.student, lesson, fraction=1.0)
    safety_event(tenant_a.student)
    make_request(tenant_b.student, lesson)
    ProviderCall.objects.create(district=tenant_a.district, lesson=lesson, capability="llm", provider="gemini",
                                estimated_cost=Decimal("12.50"))
    DistrictBudget.objects.create(district=tenant_a.district, monthly_budget=Decimal("50"))
    return other_school


def test_district_admin_sees_all_their_schools_only(tenant_a, activity):
    usage = usage_for(tenant_a.district_admin)
    assert sorted(r.name for r in usage.schools) == ["Other School", "School A"]
    school_a = next(r for r in usage.schools if r.name == "School A")
    assert (school_a.teachers, school_a.adopted_teachers, school_a.students) == (1, 1, 1)
    assert (school_a.activated_students, school_a.requests, school_a.watched, school_a.safety_events) == (1, 2, 1, 1)
    assert usage.totals.teachers == 2
    assert usage.totals.requests == 2
    assert usage.reuse_percent == 50
    assert usage.cost_this_month == Decimal("12.50")
    assert usage.budget == Decimal("50")
    assert usage.budget_percent == 25
    assert sum(w.requests for w in usage.trend) == 2
    assert usage.school_subjects == [{"school": "School A", "subject": "Physics", "requests": 2, "watched": 1}]


def test_school_admin_sees_only_their_school_and_no_district_cost(tenant_a, activity):
    usage = usage_for(tenant_a.school_admin)
    assert [r.name for r in usage.schools] == ["School A"]
    assert usage.show_cost is False
    assert usage.cost_this_month is None


def test_usage_page_and_csv_match(client, tenant_a, activity):
    client.force_login(tenant_a.district_admin)
    page = client.get(reverse("district:usage"))
    html = page.content.decode()
    assert "25%" in html
    assert "$12.50" in html
    assert "Other School" in html
    assert "<svg" in html
    assert "<desc" in html
    for table, prefix in (("schools", "school"), ("trend", "trend"), ("subjects", "subject"),
                          ("school_subjects", "school_subject")):
        export = client.get(reverse("district:usage_export") + f"?table={table}")
        rows = list(csv.reader(io.StringIO(export.content.decode())))
        assert rows[0] == page.context[f"{prefix}_headers"]
        assert rows[1:] == page.context[f"{prefix}_rows"]


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_usage_page_is_for_admins_only(client, tenant_a, role):
    client.force_login(getattr(tenant_a, role))
    assert client.get(reverse("district:usage")).status_code == 403


def test_usage_query_count_does_not_grow(client, tenant_a, activity, django_assert_num_queries):
    client.force_login(tenant_a.district_admin)
    url = reverse("district:usage")
    client.get(url)

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(5):
        school = SchoolFactory(district=tenant_a.district, name=f"Extra {i}")
        for _ in range(3):
            student = StudentFactory(school=school)
            make_request(student, None, topic=make_topics(1)[0])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_admin_index_links_to_usage(client, tenant_a):
    client.force_login(tenant_a.district_admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("district:usage") in html


def test_empty_district_shows_empty_state(client, db):

    admin = DistrictAdminFactory()
    client.force_login(admin)
    assert "No schools yet" in client.get(reverse("district:usage")).content.decode()
