"""Query budgets of the pages a class hits all day (issue 17): a page that starts to cost more fails here.

Measured on 2026-12-06 (warm caches, 20 lessons with progress; sessions read from Redis): dashboard 10 (14
before: the session cache, the two-query figures, the Ask form's interests), lesson 6 (8 before: the transcript is a cached fragment),
lesson poll 2, live panel 2, catalogue 1 (2 on the chapter page: the student's interests), lesson status API 2,
progress beacon 5 (6 before; incl. its savepoint), search 10 (incl. the whole-section scores, the vector search's savepoint and SET LOCALs).
CPU per page: bench/page_cpu.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from content.models import LessonProgress, RequestStatus
from content.tests.student_fixtures import make_interests, make_lesson, make_request


@pytest.fixture
def board(mini_corpus, tenant_a, client, api_client_for):
    """A student with 20 lessons (progress on each) and one being made; session and JWT clients."""
    student = tenant_a.student
    make_interests(student)
    topics = list(mini_corpus.topics.values())
    ready = [make_request(student, make_lesson(topics[i % len(topics)], video=i == 0), question=f"q{i}")
             for i in range(20)]
    for req in ready:
        LessonProgress.objects.create(student=student, lesson=req.lesson, lesson_request=req, position_seconds=3)
    pending = make_request(student, None, status=RequestStatus.QUEUED, topic=topics[1], question="pending")
    client.force_login(student)
    return {"client": client, "api": api_client_for(student), "ready": ready[0], "pending": pending,
            "book": topics[0].chapter.book, "chapter": topics[0].chapter.number}


def _beacon(board):
    event = {"id": str(uuid.uuid4()), "request": board["ready"].pk, "session": "s1", "seq": 1, "kind": "heartbeat",
             "position": 3.0, "client_time": datetime.now(UTC).isoformat()}
    return board["api"].post("/api/v1/progress/events/", {"events": [event]}, format="json")


PAGES = {
    "dashboard": (10, lambda b: b["client"].get(reverse("student:dashboard"))),
    "lesson": (6, lambda b: b["client"].get(reverse("student:lesson", args=[b["ready"].pk]))),
    "lesson poll (htmx)": (2, lambda b: b["client"].get(reverse("student:lesson", args=[b["pending"].pk]),
                                                        HTTP_HX_REQUEST="true")),
    "live panel (htmx)": (2, lambda b: b["client"].get(reverse("student:live"), HTTP_HX_REQUEST="true")),
    "catalogue": (1, lambda b: b["client"].get(reverse("student:catalogue"))),
    "catalogue book": (1, lambda b: b["client"].get(reverse("student:catalogue-book", args=[b["book"].slug]))),
    "catalogue chapter": (2, lambda b: b["client"].get(reverse("student:catalogue-chapter",
                                                               args=[b["book"].slug, b["chapter"]]))),
    "lesson status API": (2, lambda b: b["api"].get(f"/api/v1/lessons/requests/{b['pending'].pk}/")),
    "progress beacon": (5, _beacon),
    # + 1: the best sections scored as a whole (ingestion.search._whole_section_scores, one bounded query)
    "search API": (10, lambda b: b["api"].get("/api/v1/search/", {"q": "force"})),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_query_budget(board, name, django_assert_max_num_queries):
    budget, fetch = PAGES[name]
    assert fetch(board).status_code in (200, 204)  # warm: flags, catalogue and query-vector caches
    with django_assert_max_num_queries(budget):
        response = fetch(board)
    assert response.status_code in (200, 204)
