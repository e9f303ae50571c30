"""The student journey in a real browser against a live server and a REAL Celery worker:
sign in, ask, watch the lesson get made stage by stage, play it (progress recorded server-side),
answer the quiz, ask for another interest; plus bad input and a foreign lesson URL."""

import re
import time

import pytest

from accounts.models import Interest, StudentInterest
from content.models import LessonProgress, LessonRequest, QuizAttempt, RequestStatus
from tests.browser.conftest import audit, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
MAKE_TIMEOUT_S = 240


@pytest.fixture
def student(tenant_a):
    student = tenant_a.student
    student.first_name, student.grade_level = "Alex", 9
    student.save()
    for rank, (slug, name) in enumerate([("basketball", "Basketball"), ("music", "Music")], start=1):
        interest, _ = Interest.objects.get_or_create(slug=slug, defaults={"name": name, "category": "sports"})
        StudentInterest.objects.create(student=student, interest=interest, rank=rank)
    return student


def _wait_until_ready(page, seen: set[str]) -> None:
    """Watch the live panel (htmx polling, no reload) until the lesson is ready; pick a topic if asked."""
    deadline = time.monotonic() + MAKE_TIMEOUT_S
    while time.monotonic() < deadline:
        for status in page.locator("#live [data-status]").evaluate_all("els => els.map(e => e.dataset.status)"):
            seen.add(status)
        if page.locator("#live [data-status=ready]").count():
            return
        if page.locator("#live [data-status=needs_choice]").count():
            page.locator("#live [data-status=needs_choice] button[name=topic_id]").first.click()
        failed = page.locator("#live [data-status=failed], #live [data-status=refused]")
        if failed.count():
            pytest.fail(f"lesson was not made: {failed.first.inner_text()}")
        page.wait_for_timeout(500)
    pytest.fail(f"lesson not ready after {MAKE_TIMEOUT_S}s; statuses seen: {seen}")


def test_student_journey(page, student, tenant_a, mini_corpus, celery_worker_process):
    # sign in on the real login page; the role-aware landing leads to the dashboard
    sign_in(page, student.email, tenant_a.password)
    page.goto("/student/")
    assert page.get_by_role("heading", name="Ask Vividly").is_visible()

    # bad input: a too-short question is refused by the server with an inline error
    page.get_by_label("What do you want to learn?").fill("a")
    page.get_by_role("button", name="Ask Vividly").click()
    page.locator("#ask-error").wait_for()
    assert page.get_by_label("What do you want to learn?").get_attribute("aria-invalid") == "true"

    # ask a question; suggestions from the catalogue appear as you type
    box = page.get_by_label("What do you want to learn?")
    box.fill("")
    box.type("How does net force change acceleration?", delay=10)
    page.locator("#suggestions [data-pick-topic]").first.wait_for()
    page.get_by_role("button", name="Ask Vividly").click()
    page.wait_for_url(re.compile(r"/student/\?asked=\d+#making$"))
    page.locator("#live [data-status]").first.wait_for()
    screenshot(page, "journey-making")

    # watch it get made by the real worker, stage by stage, without reloading
    url_before = page.url
    seen: set[str] = set()
    _wait_until_ready(page, seen)
    assert page.url == url_before, "the dashboard must update in place"
    assert len(seen - {"ready"}) >= 2, f"expected several stages, saw {seen}"
    lesson_request = LessonRequest.objects.get(student=student, status=RequestStatus.READY)

    # play the video; progress is posted in batches and computed on the server
    page.locator("#live [data-status=ready] a", has_text="Watch now").click()
    page.wait_for_url(f"**/student/lessons/{lesson_request.pk}/")
    page.locator(".plyr").wait_for()
    page.get_by_role("button", name="Play", exact=True).first.click()
    # poll from Python: wait_for_function evaluates strings with eval(), which our CSP forbids
    deadline = time.monotonic() + 90
    while page.evaluate("() => window.vividlyPlayer ? window.vividlyPlayer.currentTime : 0") < 5:
        assert time.monotonic() < deadline, "the video did not play"
        page.wait_for_timeout(250)
    page.get_by_role("button", name="Pause", exact=True).first.click()  # pause flushes the batch
    deadline = time.monotonic() + 90
    progress = None
    while time.monotonic() < deadline:
        progress = LessonProgress.objects.filter(student=student, lesson_id=lesson_request.lesson_id).first()
        if progress and progress.watched_seconds >= 3:
            break
        time.sleep(0.3)
    assert progress is not None, "no progress recorded"
    assert progress.watched_seconds >= 3
    assert progress.position_seconds >= 4
    assert progress.completed_at is None  # 5 s of a long video is not completion
    # the other sections found for the question are offered, in case this one is not quite it
    offer = page.get_by_role("form", name="Not quite what you asked?")
    assert offer.is_visible()
    assert offer.get_by_role("button").count() >= 1
    audit(page, "journey-lesson", fits_phone=True)

    # answer the quiz (multiple-choice questions) with instant feedback
    mc_questions = page.locator("[data-question]:has(input[type=radio])")
    answered = 0
    for index in range(mc_questions.count()):
        block = page.locator("[data-question]:has(input[type=radio])").first
        block.locator("input[type=radio]").first.check()
        block.get_by_role("button", name="Check answer").click()
        page.locator("[data-question] [data-feedback]").nth(index).wait_for()
        answered += 1
    assert answered >= 1
    assert QuizAttempt.objects.filter(student=student, lesson_id=lesson_request.lesson_id).count() == answered
    screenshot(page, "journey-quiz")

    # ask for the same lesson through another interest
    page.get_by_label("Try another interest").select_option(label="Music")
    page.get_by_role("button", name="Explain it that way").click()
    page.wait_for_load_state("networkidle")
    music = LessonRequest.objects.filter(student=student, interest_name="Music").first()
    assert music is not None
    assert music.topic_id == lesson_request.topic_id
    screenshot(page, "journey-another-interest")

    # a lesson URL that isn't theirs → 404
    response = page.goto(f"/student/lessons/{lesson_request.pk + 10_000}/")
    assert response.status == 404
