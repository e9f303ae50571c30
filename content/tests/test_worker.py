"""End to end through real Celery workers: playable MP4, de-duplication, kill-the-worker resumption."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import StudentInterest
from accounts.tests.factories import StudentFactory
from content import services
from content.models import (
    Lesson,
    LessonRequest,
    LessonScene,
    Notification,
    ProviderCall,
    RequestStatus,
)
from tests.support.processes import purge, start_worker, subprocess_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/lessons/requests/"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_leftover_lessons(db):
    """Start without lessons (a job finished by a worker after an earlier test's flush would be reused)."""
    Lesson.objects.all().delete()
    LessonRequest.objects.all().delete()


def _wait(pk: int, *, timeout: float = 300, until=("ready", "failed", "refused"), seen: list | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = LessonRequest.objects.get(pk=pk)
        if seen is not None and (not seen or seen[-1] != request.status):
            seen.append(request.status)
        if request.status in until:
            return request
        time.sleep(0.1)
    raise AssertionError(f"request {pk} still {LessonRequest.objects.get(pk=pk).status} after {timeout}s")


def _ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],  # noqa: S603, S607 - ffprobe from PATH on a file the worker rendered
                         capture_output=True, text=True, check=True, timeout=30)
    return json.loads(out.stdout)


def _vtt_cues(text: str) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        h, m, s = stamp.split(":") if stamp.count(":") == 2 else ("0", *stamp.split(":"))
        return int(h) * 3600 + int(m) * 60 + float(s)

    cues = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = re.match(r"([\d:.]+) --> ([\d:.]+)", line)
            if match:
                cues.append((seconds(match.group(1)), seconds(match.group(2)), " ".join(lines[i + 1:])))
    return cues


def test_student_request_becomes_a_playable_cited_lesson(celery_worker_process, mini_corpus, student,
                                                         api_client_for):
    # given a seeded student who loves basketball
    client = api_client_for(student)
    # when they ask a question through the API and a real worker runs the pipeline
    response = client.post(URL, {"question": "How does the net force on an object change its acceleration?"},
                           format="json")
    assert response.status_code == 202
    seen: list[str] = []
    request = _wait(response.json()["id"], seen=seen)
    assert request.status == RequestStatus.READY, request.message
    assert seen[-1] == "ready"
    assert len(seen) >= 3
    status = client.get(f"{URL}{request.pk}/").json()
    assert status["progress"] == 100
    assert status["lesson_id"] == request.lesson_id
    assert status["vivid_now"]["scenes"][0]["audio_url"]
    assert set(status["stage_log"]) >= {"queued", "understanding", "scripting", "rendering", "narrating",
                                        "composing"}
    lesson = client.get(f"/api/v1/lessons/{request.lesson_id}/").json()
    # then the MP4 is H.264 + AAC and as long as the narration
    video = Path(settings.MEDIA_ROOT) / Lesson.objects.get(pk=lesson["id"]).video_path
    probe = _ffprobe(video)
    codecs = {s["codec_type"]: s["codec_name"] for s in probe["streams"]}
    assert codecs == {"video": "h264", "audio": "aac"}
    narration = sum(scene["audio_seconds"] for scene in lesson["scenes"])
    assert 60 <= narration <= 130
    assert abs(float(probe["format"]["duration"]) - narration) <= 0.1 * narration
    # and the captions are ordered and cover the narration
    captions = (Path(settings.MEDIA_ROOT) / lesson["captions_url"].removeprefix(settings.MEDIA_URL)).read_text()
    assert captions.startswith("WEBVTT")
    cues = _vtt_cues(captions)
    assert cues
    assert cues[0][0] <= 0.5
    assert cues[-1][1] >= 0.9 * narration
    assert all(a[1] <= b[0] + 1e-3 and a[0] < a[1] for a, b in itertools.pairwise(cues))
    assert lesson["quality"]["caption_agreement"] >= 0.9
    # and every factual sentence cites a passage; framing sentences are marked
    citation_ids = {c["id"] for c in lesson["citations"]}
    sentences = [s for scene in lesson["scenes"] for s in scene["sentences"]]
    assert any(s["framing"] for s in sentences)
    assert all(s["citation"] in citation_ids for s in sentences if not s["framing"])
    assert lesson["quality"]["cited_share"] == 1.0
    # and the quiz has three answerable questions, the interest is on the answer's slide and in the example
    assert len(lesson["quiz"]) == 3
    assert all(q["answer"] is None for q in lesson["quiz"])  # the student answers first (issue 15)
    quiz = Lesson.objects.get(pk=lesson["id"]).quiz_questions.all()
    assert all(q.answer and q.explanation and (not q.choices or q.answer in q.choices) for q in quiz)
    assert "basketball" in [bullet.lower() for bullet in lesson["scenes"][0]["bullets"]]
    assert any("basketball" in s["narration"].lower() for s in lesson["scenes"] if s["kind"] == "example")
    assert lesson["providers"]["scripting"] == "local"
    assert lesson["poster_url"]
    assert lesson["transcript"]
    assert Notification.objects.filter(user=student, kind="lesson_ready", lesson_request=request).count() == 1


def test_concurrent_identical_requests_share_one_job(celery_worker_process, mini_corpus, student, tenant_a,
                                                     api_client_for):
    classmate = StudentFactory(school=tenant_a.school)
    StudentInterest.objects.create(student=classmate, interest=student.interests.first(), rank=1)
    topic = mini_corpus.topic("m90201")
    results: dict[str, int] = {}

    def post(user, name):
        results[name] = api_client_for(user).post(URL, {"topic_id": topic.pk}, format="json").json()["id"]
        connection.close()

    threads = [threading.Thread(target=post, args=(u, n)) for u, n in ((student, "a"), (classmate, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = (_wait(results[name]) for name in ("a", "b"))
    assert first.status == second.status == RequestStatus.READY
    assert first.lesson_id == second.lesson_id
    assert Lesson.objects.count() == 1
    assert ProviderCall.objects.filter(capability="llm").count() == 1  # one script written, not two


def test_concurrent_double_submit_with_one_idempotency_key_is_one_request(student, api_client_for):
    ids = []

    def post():
        response = api_client_for(student).post(URL, {"question": "What is kinetic energy?"}, format="json",
                                                HTTP_IDEMPOTENCY_KEY="same-key")
        ids.append(response.json()["id"])
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1
    assert LessonRequest.objects.filter(student=student).count() == 1


def _start_worker(queue: str, name: str, log: Path):
    return start_worker(name, log, queues=(queue,), concurrency=1,
                        env=subprocess_env(LESSON_GENERATION_QUEUE=queue))


def test_killed_worker_job_is_resumed_and_the_lesson_arrives_once(mini_corpus, student, settings, tmp_path,
                                                                  api_client_for):
    queue = f"generation-kill-{os.getpid()}"
    settings.LESSON_GENERATION_QUEUE = queue
    first = _start_worker(queue, f"kill1-{os.getpid()}", tmp_path / "w1.log")
    try:
        response = api_client_for(student).post(URL, {"topic_id": mini_corpus.topic("m90101").pk}, format="json")
        request_id = response.json()["id"]
        # when the worker dies (SIGKILL) in the middle of the media stages
        _wait(request_id, until=("rendering", "narrating", "composing", "ready", "failed"), timeout=300)
        first.stop(signal.SIGKILL)
        stage_at_kill = LessonRequest.objects.get(pk=request_id).status
        assert stage_at_kill in ("rendering", "narrating", "composing"), stage_at_kill
    finally:
        first.stop(signal.SIGKILL)
    second = _start_worker(queue, f"kill2-{os.getpid()}", tmp_path / "w2.log")
    try:
        # then the sweeper hands the stuck stage to the new worker, which finishes the job
        report = services.sweep_stuck_lessons(stuck_after=0)
        assert report["resumed"] == [LessonRequest.objects.get(pk=request_id).lesson_id]
        request = _wait(request_id, timeout=300)
        second.wait_idle()
    finally:
        second.stop()
        purge((queue,))
    assert request.status == RequestStatus.READY
    lesson = request.lesson
    assert Lesson.objects.count() == 1
    assert lesson.resume_count == 1
    assert LessonScene.objects.filter(lesson=lesson).count() == len(lesson.script["scenes"])
    assert Notification.objects.filter(lesson_request=request, kind="lesson_ready").count() == 1
    assert (Path(settings.MEDIA_ROOT) / lesson.video_path).is_file()
