"""/api/v1/classes/: same data and the same tenancy as the teacher pages; listed in the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Assignment
from schools.models import Enrollment
from teaching.models import SignalDismissal

from .teacher_fixtures import answer_quiz, make_lesson, make_request, make_topics, watch


def test_teacher_lists_only_own_classes(api_client_for, tenant_a, tenant_b):
    response = api_client_for(tenant_a.teacher).get("/api/v1/classes/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [tenant_a.classroom.pk]
    assert response.json()["results"][0]["student_count"] == 1


@pytest.mark.parametrize("path", ["", "roster/", "assignments/", "progress/", "signals/"])
def test_foreign_class_is_404_like_missing(api_client_for, tenant_a, tenant_b, path):
    client = api_client_for(tenant_a.teacher)
    assert client.get(f"/api/v1/classes/{tenant_b.classroom.pk}/{path}").status_code == 404
    assert client.get(f"/api/v1/classes/999999/{path}").status_code == 404


@pytest.mark.parametrize(("role", "status_case"), [("student", 403), ("school_admin", 403), ("anonymous", 401)])
def test_non_teachers_are_refused(api_client_for, tenant_a, role, status_case):
    user = None if role == "anonymous" else getattr(tenant_a, role)
    assert api_client_for(user).get("/api/v1/classes/").status_code == status_case


def test_create_archive_and_assign(api_client_for, tenant_a):
    client = api_client_for(tenant_a.teacher)
    created = client.post("/api/v1/classes/", {"name": "Chem 1", "subject": "chemistry", "grade_band": "11-12"},
                          format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["join_code"].startswith("CHEM-")
    [topic] = make_topics(1, subject="chemistry")
    due = (timezone.now() + timedelta(days=1)).isoformat()
    assigned = client.post(f"/api/v1/classes/{pk}/assignments/", {"topic": topic.pk, "due_at": due}, format="json")
    assert assigned.status_code == 201, assigned.content
    assert Assignment.objects.get(classroom_id=pk).topic == topic
    archived = client.patch(f"/api/v1/classes/{pk}/", {"is_archived": True}, format="json")
    assert archived.json()["is_archived"] is True
    assert pk not in [c["id"] for c in client.get("/api/v1/classes/").json()["results"]]


def test_assign_to_foreign_student_is_rejected(api_client_for, tenant_a, tenant_b):
    [topic] = make_topics(1)
    due = (timezone.now() + timedelta(days=1)).isoformat()
    response = api_client_for(tenant_a.teacher).post(
        f"/api/v1/classes/{tenant_a.classroom.pk}/assignments/",
        {"topic": topic.pk, "due_at": due, "students": [tenant_b.student.pk]}, format="json")
    assert response.status_code == 400


def test_roster_invite_and_remove(api_client_for, tenant_a, tenant_b):
    client = api_client_for(tenant_a.teacher)
    base = f"/api/v1/classes/{tenant_a.classroom.pk}/roster/"
    assert [s["email"] for s in client.get(base).json()] == [tenant_a.student.email]
    invited = client.post(base + "invite/", {"emails": ["new@student.school-a.edu"]}, format="json")
    assert invited.status_code == 201
    assert invited.json()["invited"] == ["new@student.school-a.edu"]
    foreign = client.post(base + "invite/", {"emails": [tenant_b.student.email]}, format="json")
    assert foreign.status_code == 201  # the same answer as for a new address: no account lookup leaks
    assert foreign.json() == {"invited": [tenant_b.student.email], "already": []}
    assert not Enrollment.objects.filter(classroom=tenant_a.classroom, student=tenant_b.student).exists()
    assert client.delete(f"{base}{tenant_b.student.pk}/").status_code == 404
    assert client.delete(f"{base}{tenant_a.student.pk}/").status_code == 204
    assert not Enrollment.objects.filter(classroom=tenant_a.classroom).exists()


def test_progress_and_signals(api_client_for, tenant_a):
    [topic] = make_topics(1)
    lesson = make_lesson(topic)
    make_request(tenant_a.student, lesson)
    watch(tenant_a.student, lesson, fraction=1.0)
    answer_quiz(tenant_a.student, lesson, correct=1)
    client = api_client_for(tenant_a.teacher)
    progress = client.get(f"/api/v1/classes/{tenant_a.classroom.pk}/progress/").json()
    assert progress["students"][0]["quiz_percent"] == 25
    assert progress["heatmap"][0]["cells"][0]["status"] == "failed"
    signals = client.get(f"/api/v1/classes/{tenant_a.classroom.pk}/signals/").json()
    failed = next(s for s in signals if s["kind"] == "failed_quiz")
    assert "25%" in failed["reason"]
    dismissed = client.post(f"/api/v1/classes/{tenant_a.classroom.pk}/signals/dismiss/", {
        "student_id": tenant_a.student.pk, "kind": "failed_quiz", "fingerprint": failed["fingerprint"]},
        format="json")
    assert dismissed.status_code == 204
    assert SignalDismissal.objects.count() == 1
    assert "failed_quiz" not in [s["kind"] for s in
                                 client.get(f"/api/v1/classes/{tenant_a.classroom.pk}/signals/").json()]


def test_openapi_schema_lists_teacher_endpoints(client, tenant_a):
    client.force_login(tenant_a.teacher)  # the schema is for staff (vividly/api_docs.py)
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/classes/", "/api/v1/classes/{id}/progress/", "/api/v1/classes/{id}/signals/dismiss/",
                 "/api/v1/classes/{id}/roster/invite/", "/api/v1/classes/{id}/assignments/"):
        assert path in schema
