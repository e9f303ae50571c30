"""Student progress API: JWT and sendBeacon (session + form) paths, scoping, schema."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import LessonProgress, ProblemReport
from content.tests.student_fixtures import make_catalogue, make_lesson, make_request


@pytest.fixture
def ready(tenant_a):
    return make_request(tenant_a.student, make_lesson(make_catalogue()["newton1"]))


def _batch(req, session="api"):
    start = timezone.now() - dt.timedelta(seconds=30)
    return [{"id": str(uuid.uuid4()), "request": req.pk, "session": session, "seq": i + 1, "kind": kind,
             "position": pos, "client_time": (start + dt.timedelta(seconds=at)).isoformat()}
            for i, (kind, pos, at) in enumerate([("play", 0, 0), ("heartbeat", 5, 5), ("ended", 8, 8)])]


def test_events_via_jwt(api_client_for, tenant_a, ready):
    client = api_client_for(tenant_a.student)
    events = _batch(ready)
    response = client.post(reverse("api-progress-events"), {"events": events}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 3
    assert response.json()["progress"][0]["completed_at"]
    again = client.post(reverse("api-progress-events"), {"events": events}, format="json").json()
    assert again["duplicates"] == 3
    listing = client.get(reverse("api-progress")).json()
    assert listing["results"][0]["watched_seconds"] == pytest.approx(8.0)


def test_events_for_someone_elses_lesson_are_404(api_client_for, tenant_b, ready):
    response = api_client_for(tenant_b.student).post(reverse("api-progress-events"),
                                                     {"events": _batch(ready)}, format="json")
    assert response.status_code == 404


def test_teachers_cannot_post_events(api_client_for, tenant_a, ready):
    response = api_client_for(tenant_a.teacher).post(reverse("api-progress-events"),
                                                     {"events": _batch(ready)}, format="json")
    assert response.status_code == 403


def test_malformed_batches_are_400(api_client_for, tenant_a, ready):
    client = api_client_for(tenant_a.student)
    assert client.post(reverse("api-progress-events"), {"events": []}, format="json").status_code == 400
    bad = _batch(ready)
    bad[0]["kind"] = "teleport"
    assert client.post(reverse("api-progress-events"), {"events": bad}, format="json").status_code == 400


def test_send_beacon_form_needs_csrf(tenant_a, ready):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(tenant_a.student)
    url = reverse("api-progress-events")
    # without the token: refused
    assert client.post(url, {"events": json.dumps(_batch(ready))}).status_code == 403
    # with the token as a form field (what sendBeacon can send): accepted
    client.get(reverse("student:lesson", args=[ready.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"events": json.dumps(_batch(ready, "beacon")), "csrfmiddlewaretoken": token})
    assert response.status_code == 200, response.content
    assert LessonProgress.objects.get(student=tenant_a.student).events_count == 3


def test_quiz_attempt_and_report_api(api_client_for, tenant_a, tenant_b, ready):
    client = api_client_for(tenant_a.student)
    question = ready.lesson.quiz_questions.first()
    response = client.post(reverse("api-quiz-attempts"), {"request": ready.pk, "question": question.pk,
                                                          "chosen": "Inertia"}, format="json")
    assert response.status_code == 201
    assert response.json()["is_correct"] is True
    assert "explanation" in response.json()
    other = api_client_for(tenant_b.student).post(reverse("api-quiz-attempts"), {
        "request": ready.pk, "question": question.pk, "chosen": "Inertia"}, format="json")
    assert other.status_code == 404
    report = client.post(reverse("api-problem-reports"), {"request": ready.pk, "reason": "video"}, format="json")
    assert report.status_code == 201
    teacher_view = api_client_for(tenant_a.teacher).get(reverse("api-problem-reports")).json()
    assert [r["id"] for r in teacher_view["results"]] == [report.json()["id"]]
    assert api_client_for(tenant_b.teacher).get(reverse("api-problem-reports")).json()["results"] == []
    assert ProblemReport.objects.count() == 1


def test_api_is_in_the_openapi_schema(client, tenant_a):
    client.force_login(tenant_a.teacher)  # the schema is for staff (vividly/api_docs.py)
    schema = client.get(reverse("api-schema")).content.decode()
    for path in ("/api/v1/progress/events/", "/api/v1/quiz-attempts/", "/api/v1/problem-reports/",
                 "/api/v1/requizzes/"):
        assert path in schema


def test_lesson_api_shows_a_student_answers_only_to_questions_they_answered(api_client_for, tenant_a, ready):
    """Issue 15, finding 6: the quiz answers are not handed out before the student answers."""
    client = api_client_for(tenant_a.student)
    url = reverse("lesson-detail", args=[ready.lesson_id])
    quiz = client.get(url).json()["quiz"]
    assert len(quiz) == 2
    assert all(q["answer"] is None and q["explanation"] is None for q in quiz)
    assert "Inertia" in quiz[0]["choices"]  # the question itself is there to answer
    # after answering the first question (wrongly), its answer and explanation are shown; not the second's
    client.post(reverse("api-quiz-attempts"), {"request": ready.pk, "question": quiz[0]["id"],
                                               "chosen": "Magnetism"}, format="json")
    first, second = client.get(url).json()["quiz"]
    assert (first["answer"], first["explanation"]) == ("Inertia", "Inertia: objects keep their state of motion.")
    assert second["answer"] is None
    assert second["explanation"] is None
    # the student's teacher always sees every answer
    staff = api_client_for(tenant_a.teacher).get(url).json()["quiz"]
    assert all(q["answer"] and q["explanation"] for q in staff)


def test_lesson_schema_documents_hidden_answers():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    quiz = schema["components"]["schemas"]["QuizQuestion"]["properties"]
    assert quiz["answer"]["nullable"] is True
    assert quiz["explanation"]["nullable"] is True
    assert "id" in quiz
