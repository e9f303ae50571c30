"""The dashboard's figures: lessons made, progress by subject, lessons finished, learning streak."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content.forms import AskForm
from content.models import LessonProgress, RequestStatus
from content.selectors.student import dashboard_for
from content.tests.student_fixtures import make_catalogue, make_interests, make_lesson, make_request

pytestmark = pytest.mark.django_db


def test_lessons_subjects_finished_and_streak(tenant_a, tenant_b):
    student, now = tenant_a.student, timezone.now()
    topics = make_catalogue()
    physics = [make_lesson(topics[name], video=False) for name in ("newton1", "newton2", "buoyancy")]
    cells = make_lesson(topics["cells"], video=False)
    requests = [make_request(student, lesson) for lesson in [*physics, cells]]
    make_request(student, physics[0], question="same lesson, asked again")  # one lesson, two requests
    make_request(student, None, status=RequestStatus.QUEUED, topic=topics["cells"])  # not made yet
    for days_ago, req in zip((0, 1, 3), requests[:3], strict=True):  # active today, yesterday, 3 days ago
        LessonProgress.objects.create(student=student, lesson=req.lesson, lesson_request=req,
                                      last_event_at=now - timedelta(days=days_ago),
                                      completed_at=now if days_ago < 3 else None)
    # another student finishing the biology lesson counts for them only
    other = make_request(tenant_b.student, cells)
    LessonProgress.objects.create(student=tenant_b.student, lesson=cells, lesson_request=other,
                                  last_event_at=now, completed_at=now)

    board = dashboard_for(student)

    assert board.lessons_total == 5  # ready requests with a lesson
    assert board.completed_total == 2
    assert board.streak_days == 2  # today and yesterday; the gap before 3 days ago ends it
    by_subject = {row["subject"]: (row["made"], row["done"], row["percent"]) for row in board.subjects}
    assert by_subject == {"Physics": (3, 2, 67), "Biology": (1, 0, 0)}


def test_a_new_student_has_empty_figures(tenant_a):
    board = dashboard_for(tenant_a.student)
    assert (board.lessons_total, board.completed_total, board.streak_days, board.subjects) == (0, 0, 0, [])


def test_the_ask_forms_interest_chips_from_the_loaded_interests_are_the_same(tenant_a, client):
    make_interests(tenant_a.student, names=("Music", "Basketball", "Gaming", "Art"))
    loaded = [si.interest for si in dashboard_for(tenant_a.student).interests]
    from_page = AskForm(student=tenant_a.student, interests=loaded).interest_options
    assert [i.name for i in from_page] == [i.name for i in AskForm(student=tenant_a.student).interest_options]
    assert [i.name for i in from_page] == ["Art", "Basketball", "Gaming", "Music"]
    client.force_login(tenant_a.student)
    page = client.get("/student/").content.decode()
    chips = [page.index(f"> {name}</label>") for name in ("Art", "Basketball", "Gaming", "Music")]
    assert chips == sorted(chips)
