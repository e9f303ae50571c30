"""Drill 3c: SIGKILL the prefork pool CHILD running a lesson; the task is re-queued at once
(acks_late + reject_on_worker_lost) and finishes: 0 lost, 0 duplicate lessons, time measured."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from accounts.models import Interest, StudentInterest
from content import services
from content.models import Lesson, LessonRequest, LessonScene, Notification, RequestStatus

from ._support import record, server_env, start_worker, stop

pytestmark = [pytest.mark.drills, pytest.mark.django_db(transaction=True)]


def _wait(pk: int, until: tuple[str, ...], timeout: float = 300) -> LessonRequest:
    """The request once it reaches one of `until`, or as it is when the (generous) deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = LessonRequest.objects.get(pk=pk)
        if request.status in until:
            return request
        time.sleep(0.1)
    return LessonRequest.objects.get(pk=pk)


def test_killed_pool_child_is_requeued_and_the_lesson_arrives_once(mini_corpus, tenant_a, settings, tmp_path,
                                                                    api_client_for):
    interest, _ = Interest.objects.get_or_create(slug="basketball", defaults={"name": "Basketball",
                                                                             "category": "sports"})
    StudentInterest.objects.get_or_create(student=tenant_a.student, interest=interest, defaults={"rank": 1})
    queue = f"generation-child-{os.getpid()}"
    settings.LESSON_GENERATION_QUEUE = queue
    env = server_env(LESSON_GENERATION_QUEUE=queue)
    worker = start_worker(f"child-{os.getpid()}", tmp_path / "worker.log", queues=queue, pool="prefork",
                          concurrency=1, env=env)
    try:
        started = time.monotonic()
        response = api_client_for(tenant_a.student).post(
            "/api/v1/lessons/requests/", {"topic_id": mini_corpus.topic("m90101").pk}, format="json")
        pk = response.json()["id"]
        stage = _wait(pk, until=("scripting", "rendering", "narrating", "composing", "ready", "failed")).status
        assert stage in ("scripting", "rendering", "narrating", "composing"), stage
        children = psutil.Process(worker.pid).children()
        assert children, "prefork worker has no pool child"
        stage = LessonRequest.objects.get(pk=pk).status
        os.kill(children[0].pid, signal.SIGKILL)
        request = _wait(pk, until=("ready", "failed"))
        seconds, via = time.monotonic() - started, "re-queued at once"
        if request.status != RequestStatus.READY:  # the re-queued task did not finish it: the sweeper resumes

            services.sweep_stuck_lessons(stuck_after=0)
            request = _wait(pk, until=("ready", "failed"))
            seconds, via = time.monotonic() - started, "resumed by the sweeper"
        worker.wait_idle()
    finally:
        stop(worker)
    lessons = Lesson.objects.count()
    record("faults", "pool child SIGKILL mid-generation", f"killed at '{stage}', {via}, {request.status} after "
           f"{seconds:.0f} s; lessons {lessons}, notifications "
           f"{Notification.objects.filter(lesson_request=request, kind='lesson_ready').count()}",
           "ready, 1 lesson, 1 notification")
    assert request.status == RequestStatus.READY, request.message
    assert lessons == 1
    lesson = request.lesson
    assert LessonScene.objects.filter(lesson=lesson).count() == len(lesson.script["scenes"])
    assert Notification.objects.filter(lesson_request=request, kind="lesson_ready").count() == 1
