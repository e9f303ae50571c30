"""The pipeline honours teachers' pins and blocked topic–interest pairings (issues 7 × 9)."""

import pytest

from accounts.models import StudentInterest
from content import services
from content.models import LessonBlock, LessonRequest, PinnedLesson, RequestStatus
from content.pipeline.understand import attach_to_lesson, reuse_key
from schools.tests.teacher_fixtures import make_interest, make_lesson, make_topics

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(tenant_a):
    student = tenant_a.student
    for rank, name in enumerate(["Basketball", "Music"], start=1):
        StudentInterest.objects.create(student=student, interest=make_interest(name), rank=rank)
    return student


def test_a_pinned_lesson_is_served_instead_of_a_new_one(tenant_a, student):
    # given the class pinned a reviewed lesson for the topic
    topic = make_topics(1)[0]
    pinned = make_lesson(topic, interest="Music")
    PinnedLesson.objects.create(classroom=tenant_a.classroom, topic=topic, lesson=pinned,
                                pinned_by=tenant_a.teacher)
    # when the student asks for that topic (with another interest)
    request, created = services.create_lesson_request(student=student, topic_id=topic.pk,
                                                      interest="Basketball", enqueue=False)
    # then the pinned lesson arrives at once
    request.refresh_from_db()
    assert created
    assert request.status == RequestStatus.READY
    assert request.lesson_id == pinned.pk


def test_a_blocked_pairing_is_neither_reused_nor_generated(tenant_a, student, settings):
    # given a ready basketball lesson for the topic, and the class blocked topic × basketball
    topic = make_topics(1)[0]
    basketball = make_lesson(topic, interest="Basketball")
    basketball.reuse_key = reuse_key(module_ids=[topic.module_id], interest="Basketball",
                                     grade_band=student.grade_band, question=f"Teach me about {topic.title}")
    basketball.save(update_fields=["reuse_key"])
    LessonBlock.objects.create(classroom=tenant_a.classroom, topic=topic, interest=make_interest("Basketball"),
                               created_by=tenant_a.teacher)
    # when the student asks with basketball
    request, _ = services.create_lesson_request(student=student, topic_id=topic.pk, interest="Basketball",
                                                enqueue=False)
    assert request.lesson_id is None  # not served from the blocked lesson
    attach_to_lesson(request, topic)
    # then the lesson is framed with the next-ranked interest instead
    request = LessonRequest.objects.get(pk=request.pk)
    assert request.interest_name == "Music"
    assert request.lesson_id != basketball.pk
    assert request.lesson.interest == "Music"
