"""Every student page in a real browser: axe (no serious/critical issues) at phone and desktop width,
keyboard use, and screenshots in artifacts/screenshots/."""

import re

import pytest

from content.models import LessonProgress, RequestStatus, ReQuiz
from content.tests.student_fixtures import make_catalogue, make_interests, make_lesson, make_request
from tests.browser.conftest import audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tenant_a):
    """A student with interests, a ready lesson, one being made, one needing a choice, one failed."""
    student = tenant_a.student
    student.first_name = "Alex"
    student.grade_level = 9
    student.save()
    topics = make_catalogue()
    make_interests(student)
    ready = make_request(student, make_lesson(topics["newton1"]), question="Why does a ball keep rolling?")
    LessonProgress.objects.create(student=student, lesson=ready.lesson, lesson_request=ready, position_seconds=3,
                                  watched_ranges=[[0, 3]], watched_seconds=3)
    make_request(student, None, status=RequestStatus.NARRATING, topic=topics["newton2"],
                 question="How does force change speed?", message="Recording the narration…", progress=60)
    make_request(student, None, status=RequestStatus.NEEDS_CHOICE, question="What is force?",
                 choices=[{"topic_id": t.pk, "title": t.title, "book": t.chapter.book.title}
                          for t in list(topics.values())[:3]])
    failed = make_request(student, None, status=RequestStatus.FAILED, topic=topics["cells"],
                          question="How do cells divide?", message="The video couldn't be put together.")
    now_lesson = make_lesson(topics["buoyancy"], ready=False)
    vivid = make_request(student, now_lesson, status=RequestStatus.NARRATING, question="Why do boats float?")
    missing = make_lesson(topics["newton2"], key="missing-video")
    missing.video_path = "test-student/deleted.mp4"
    missing.save()
    missing_req = make_request(student, missing, question="What is the second law?")
    return {"tenant": tenant_a, "student": student, "topics": topics, "ready": ready, "failed": failed,
            "vivid": vivid, "missing": missing_req}


def test_every_student_page_is_accessible_and_screenshotted(page, world, settings):
    tenant = world["tenant"]
    page.goto("/accounts/login/")
    audit(page, "login", fits_phone=True)
    sign_in(page, tenant.student.email, tenant.password)

    pages = [
        ("dashboard", "/student/"),
        ("onboarding", "/student/welcome/"),
        ("catalogue", "/student/topics/"),
        ("catalogue-book", "/student/topics/physics/"),
        ("catalogue-chapter", "/student/topics/physics/14/"),
        ("lessons", "/student/lessons/"),
        ("lesson", f"/student/lessons/{world['ready'].pk}/"),
        ("lesson-vivid-now", f"/student/lessons/{world['vivid'].pk}/"),
        ("lesson-failed", f"/student/lessons/{world['failed'].pk}/"),
        ("lesson-missing-video", f"/student/lessons/{world['missing'].pk}/"),
        ("report-problem", f"/student/lessons/{world['ready'].pk}/report/"),
    ]
    for name, url in pages:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        page.wait_for_load_state("load")
        audit(page, name, fits_phone=True)

    # inline errors are accessible too
    page.goto("/student/welcome/")
    page.get_by_label("Class code").fill("nope")
    page.get_by_role("button", name="Join class").click()
    assert page.get_by_text("doesn't look like a class code").is_visible()
    audit(page, "onboarding-errors", fits_phone=True)

    # the re-quiz page (due now)
    ReQuiz.objects.create(student=world["student"], lesson=world["ready"].lesson, lesson_request=world["ready"],
                          due_at=world["ready"].created_at)
    page.goto(f"/student/lessons/{world['ready'].pk}/requiz/")
    audit(page, "requiz", fits_phone=True)

    settings.DEBUG = True
    page.goto("/styleguide/")
    audit(page, "styleguide", fits_phone=True)


def test_keyboard_only_quiz_and_skip_link(page, world):
    tenant = world["tenant"]
    sign_in(page, tenant.student.email, tenant.password)
    page.goto(f"/student/lessons/{world['ready'].pk}/")
    # the first Tab reaches the skip link, which moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # answer the first quiz question with the keyboard alone
    first = page.get_by_role("radio", name="Inertia")
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the other radios of the group to "Check answer"
    focused = page.evaluate("document.activeElement.textContent").strip()
    if focused != "Check answer":
        page.get_by_role("button", name="Check answer").first.focus()
    page.keyboard.press("Enter")
    page.locator("[data-feedback=correct]").wait_for()
    # player controls have screen-reader labels
    for label in ("Play", "Mute", "Settings", "Enter fullscreen"):
        assert page.get_by_role("button", name=re.compile(label, re.I)).count() >= 1, label
