"""Lesson API: acceptance, idempotency, validation, flag gate, hourly quota with refunds, tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from content import services
from content.models import Lesson, LessonRequest, RequestStatus

from .factories import TopicFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/lessons/requests/"


def test_student_request_is_accepted_with_202(api_client_for, student):
    response = api_client_for(student).post(URL, {"question": "How does net force change acceleration?"},
                                            format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    request = LessonRequest.objects.get(pk=body["id"])
    assert request.student == student
    assert request.interest_name == "Basketball"
    assert request.grade_band == "9-10"


@pytest.mark.parametrize(("typed", "stored"), [("Knitting Robots", "Knitting Robots"), ("  k-pop ", "k-pop"),
                                               ("skateboarding", "skateboarding")])
def test_any_typed_interest_is_accepted_and_kept(api_client_for, student, typed, stored):
    # given an interest that is not in the catalogue
    response = api_client_for(student).post(URL, {"question": "What is force?", "interest": typed}, format="json")
    # then the request is accepted and framed by the student's own words, not a catalogue row
    assert response.status_code == 202
    request = LessonRequest.objects.get(pk=response.json()["id"])
    assert request.interest_id is None
    assert request.interest_name == stored


def test_idempotency_key_makes_a_double_submit_one_request(api_client_for, student):
    client = api_client_for(student)
    first = client.post(URL, {"question": "What is kinetic energy?"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(URL, {"question": "What is kinetic energy?"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert LessonRequest.objects.filter(student=student).count() == 1


@pytest.mark.parametrize(("payload", "case"), [
    ({"question": ""}, "empty"), ({"question": "hey"}, "too short"), ({"question": "x" * 2001}, "too long"),
    ({"question": "What is force?", "interest": "<script>alert(1)</script>"}, "interest with markup"),
    ({"question": "What is force?", "interest": "x" * 41}, "interest too long"),
    ({"question": "What is force?", "interest": "vaping"}, "unsuitable interest"),
    ({"question": "What is force?", "topic_id": 999999}, "unknown topic"),
])
def test_bad_input_is_a_400_with_a_plain_message(api_client_for, student, payload, case):
    response = api_client_for(student).post(URL, payload, format="json")
    assert response.status_code == 400, case
    assert not LessonRequest.objects.exists()


def test_flag_off_refuses_generation(api_client_for, student, tenant_a):
    # given video_generation switched off for this student's district
    from accounts.tests.factories import UserFactory
    from flags.models import Flag
    from flags.services import set_override

    actor = UserFactory(is_superuser=True, role="district_admin", school=None, district=tenant_a.district)
    flag, _ = Flag.objects.get_or_create(name="video_generation", defaults={"everyone": True})
    set_override(actor=actor, flag=flag, scope="district", target=tenant_a.district, active=False,
                 reason="test: generation off")
    # when the student asks for a lesson, then it is refused
    response = api_client_for(student).post(URL, {"question": "What is force?"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "generation_disabled"


def test_only_students_may_request(api_client_for, tenant_a):
    response = api_client_for(tenant_a.teacher).post(URL, {"question": "What is force?"}, format="json")
    assert response.status_code == 403


def test_hourly_quota_tenth_ok_eleventh_429_and_failed_lesson_refunded(
        api_client_for, student, django_capture_on_commit_callbacks):
    client = api_client_for(student)
    empty_topic = TopicFactory()  # a section with nothing indexed: its lesson fails
    ids = []
    for i in range(9):
        response = client.post(URL, {"question": f"What is force number {i}?"}, format="json")
        assert response.status_code == 202
        ids.append(response.json()["id"])
    tenth = client.post(URL, {"topic_id": empty_topic.pk}, format="json")
    assert tenth.status_code == 202
    eleventh = client.post(URL, {"question": "What is inertia?"}, format="json")
    assert eleventh.status_code == 429
    assert int(eleventh["Retry-After"]) > 0
    # when the tenth lesson fails, it no longer counts against the limit
    with django_capture_on_commit_callbacks(execute=True):
        failed = services.run_request_inline(request_id=tenth.json()["id"])
    assert failed.status == RequestStatus.FAILED
    assert "didn't count against your hourly limit" in failed.message
    status = client.get(f"{URL}{failed.pk}/").json()
    assert status["status"] == "failed"
    assert status["message"] == failed.message
    assert client.post(URL, {"question": "What is inertia?"}, format="json").status_code == 202
    assert client.post(URL, {"question": "What is momentum?"}, format="json").status_code == 429


def test_requests_and_lessons_are_tenant_scoped(api_client_for, student, tenant_a, tenant_b):
    topic = TopicFactory()
    lesson = Lesson.objects.create(reuse_key="k" * 64, topic=topic, interest="Basketball", grade_band="9-10",
                                   generator_version="t", stage=Lesson.Stage.READY, title="Forces")
    request = LessonRequest.objects.create(student=student, question="What is force?", grade_band="9-10",
                                           status=RequestStatus.READY, lesson=lesson)
    own = api_client_for(student)
    assert own.get(f"{URL}{request.pk}/").status_code == 200
    assert own.get(reverse("lesson-detail", args=[lesson.pk])).status_code == 200
    assert api_client_for(tenant_a.teacher).get(f"{URL}{request.pk}/").status_code == 200
    for outsider in (tenant_b.student, tenant_b.teacher, tenant_b.district_admin):
        client = api_client_for(outsider)
        assert client.get(f"{URL}{request.pk}/").status_code == 404
        assert client.get(reverse("lesson-detail", args=[lesson.pk])).status_code == 404
    assert api_client_for(tenant_b.student).post(f"{URL}{request.pk}/choose/", {"topic_id": topic.pk},
                                                 format="json").status_code == 404
    assert api_client_for(None).get(f"{URL}{request.pk}/").status_code == 401


def test_api_is_in_the_openapi_schema(client, tenant_a):
    client.force_login(tenant_a.teacher)  # the schema is for staff (vividly/api_docs.py)
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/lessons/requests/", "/api/v1/lessons/requests/{id}/",
                 "/api/v1/lessons/requests/{id}/choose/", "/api/v1/lessons/{id}/"):
        assert path in schema


def test_student_picks_one_of_the_offered_topics(api_client_for, student):
    # given a request waiting for the student to choose among the top topics
    offered, other = TopicFactory(), TopicFactory()
    request = LessonRequest.objects.create(
        student=student, question="Tell me about energy", grade_band="9-10", status=RequestStatus.NEEDS_CHOICE,
        choices=[{"topic_id": offered.pk, "title": offered.title, "book": "B", "subject": "physics",
                  "confidence": 0.4}])
    client = api_client_for(student)
    body = client.get(f"{URL}{request.pk}/").json()
    assert body["status"] == "needs_choice"
    assert [c["topic_id"] for c in body["choices"]] == [offered.pk]
    # when they pick a topic that was not offered, then 400; when they pick the offered one, 202
    assert client.post(f"{URL}{request.pk}/choose/", {"topic_id": other.pk}, format="json").status_code == 400
    response = client.post(f"{URL}{request.pk}/choose/", {"topic_id": offered.pk}, format="json")
    assert response.status_code == 202
    request.refresh_from_db()
    assert request.status == RequestStatus.QUEUED
    assert request.topic == offered
