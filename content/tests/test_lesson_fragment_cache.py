"""The lesson page's transcript and sources are cached per lesson version (issue 17)."""

import socket

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import LessonScene
from content.tests.student_fixtures import make_catalogue, make_interests, make_lesson, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson_page(tenant_a, tenant_b, client):
    topics = make_catalogue()
    lesson = make_lesson(topics["newton1"])
    for student in (tenant_a.student, tenant_b.student):
        make_interests(student)
    mine, theirs = make_request(tenant_a.student, lesson), make_request(tenant_b.student, lesson)
    client.force_login(tenant_a.student)
    return {"client": client, "lesson": lesson, "url": reverse("student:lesson", args=[mine.pk]),
            "their_url": reverse("student:lesson", args=[theirs.pk])}


def _get(page, url=None):
    with CaptureQueriesContext(connection) as ctx:
        response = page["client"].get(url or page["url"])
    assert response.status_code == 200
    scene_queries = [q for q in ctx.captured_queries if 'FROM "content_lessonscene"' in q["sql"]]
    return response.content.decode(), len(scene_queries)


def test_the_transcript_is_rendered_once_per_lesson_version(lesson_page, tenant_b):
    first, scene_queries = _get(lesson_page)
    assert "A ball at rest" in first
    assert "Sources from your textbook" in first
    assert scene_queries == 1
    again, scene_queries = _get(lesson_page)
    assert scene_queries == 0  # served from the fragment cache
    assert "A ball at rest" in again
    assert "Sources from your textbook" in again
    # the lesson is rewritten (scenes replaced, the lesson saved): the new transcript shows at once
    lesson = lesson_page["lesson"]
    lesson.scenes.all().delete()
    LessonScene.objects.create(lesson=lesson, index=0, kind="hook", title="A brand new hook", narration="New.",
                               sentences=[{"text": "New."}])
    lesson.save()
    rewritten, scene_queries = _get(lesson_page)
    assert scene_queries == 1
    assert "A brand new hook" in rewritten
    assert "A ball at rest" not in rewritten
    # another student with the same lesson sees the same transcript, and their own page otherwise
    lesson_page["client"].force_login(tenant_b.student)
    theirs, _ = _get(lesson_page, lesson_page["their_url"])
    assert "A brand new hook" in theirs
    assert tenant_b.student.first_name in theirs
    assert tenant_b.student.email not in rewritten


def test_redis_down_the_lesson_page_still_renders(lesson_page, settings):
    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    settings.CACHES = {name: {**config, "LOCATION": closed} for name, config in settings.CACHES.items()}
    page, scene_queries = _get(lesson_page)
    assert "A ball at rest" in page
    assert scene_queries == 1
