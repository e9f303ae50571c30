"""Teacher and district-admin journey in a real browser (Debian Chromium, live server, real Celery worker).

A teacher signs in, creates a class, invites a student (who accepts, signed in), assigns a topic; the
student does the lesson (marks it complete and answers the quiz); the teacher sees the progress, the
quiz result on the class page and heatmap, opens the exact lesson the student got and pins it; the district admin opens the
usage page from the Django admin. axe runs on every teacher/admin page; screenshots go to
artifacts/screenshots/teacher-*.png.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Invitation
from content.models import Assignment, LessonProgress, PinnedLesson, QuizAttempt
from content.tests.student_fixtures import make_catalogue, make_lesson, make_request
from schools.models import Classroom
from tests.browser.conftest import audit, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tenant_a, celery_worker_process):
    topics = make_catalogue()
    tenant_a.student.first_name, tenant_a.student.last_name = "Alex", "Rivera"
    tenant_a.student.save()
    tenant_a.teacher.first_name, tenant_a.teacher.last_name = "Sarah", "Johnson"
    tenant_a.teacher.save()
    return {"tenant": tenant_a, "topics": topics}


def test_teacher_and_admin_journey(browser, live_server, page, world):
    tenant, topic = world["tenant"], world["topics"]["newton1"]

    # --- the teacher creates a class ---------------------------------------------------------
    sign_in(page, tenant.teacher.email, tenant.password)
    page.goto("/teacher/")
    audit(page, "teacher-dashboard")
    page.get_by_role("link", name="Create a class").first.click()
    audit(page, "teacher-class-create")
    page.get_by_label("Name").fill("Period 5 Physics")
    page.get_by_label("Subject").select_option("physics")
    page.get_by_label("Period").fill("Period 5")
    page.get_by_role("button", name="Create class").click()
    classroom = Classroom.objects.get(name="Period 5 Physics")
    assert page.url.endswith(f"/teacher/classes/{classroom.pk}/")
    expect(page.get_by_text("No students yet")).to_be_visible()
    audit(page, "teacher-class-empty")

    # --- invites a student (both get an email; the existing student accepts, signed in) ---------
    page.get_by_role("link", name="Invite students").first.click()
    audit(page, "teacher-invite")
    page.get_by_label("Student emails").fill(f"{tenant.student.email}\nnew.kid@student.school-a.edu")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("2 invited by email.")).to_be_visible()
    assert Invitation.objects.filter(classroom=classroom, email="new.kid@student.school-a.edu").exists()
    assert not classroom.enrollments.exists()  # nobody joins without saying so (issue 15, finding 9)

    # --- the student accepts the invitation -----------------------------------------------------
    student_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    student = student_context.new_page()
    sign_in(student, tenant.student.email, tenant.password)
    student.goto("/student/welcome/")
    student.get_by_role("button", name="Join Period 5 Physics").click()
    expect(student.get_by_text("You joined Period 5 Physics.")).to_be_visible()
    assert classroom.enrollments.filter(student=tenant.student).exists()

    # --- assigns a topic ---------------------------------------------------------------------------
    page.get_by_role("link", name="Assign a topic").first.click()
    audit(page, "teacher-assign")
    page.get_by_label("Topic (textbook section)").select_option(str(topic.pk))
    due = timezone.localtime() + timedelta(days=3)
    page.get_by_label("Due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Assign").click()
    assert Assignment.objects.filter(classroom=classroom, topic=topic).exists()
    expect(page.locator("#assignments-table").get_by_text("0 of 1")).to_be_visible()

    # --- the student gets the lesson, watches it and answers the quiz ----------------------------
    lesson = make_lesson(topic)
    lesson_request = make_request(tenant.student, lesson, question="Why does a ball keep rolling?")
    student.goto(f"/student/lessons/{lesson_request.pk}/")
    student.get_by_role("button", name=re.compile("Mark complete")).click()
    student.wait_for_load_state("networkidle")
    first = student.locator("[data-question]").first
    first.get_by_label("Inertia").check()
    first.get_by_role("button", name="Check answer").click()
    student.wait_for_selector("[data-feedback]")
    second = student.locator("form:has(input[name=choice])").first
    second.get_by_label("Nothing").check()
    second.get_by_role("button", name="Check answer").click()
    expect(student.locator("[data-feedback]")).to_have_count(2)
    student_context.close()
    assert LessonProgress.objects.get(student=tenant.student, lesson=lesson).completed_at is not None
    assert QuizAttempt.objects.filter(student=tenant.student, lesson=lesson).count() == 2

    # --- the teacher sees progress, the quiz result and a needs-help signal ----------------------
    page.goto(f"/teacher/classes/{classroom.pk}/")
    progress_row = page.locator("#progress-table tbody tr").filter(has_text="Alex Rivera")
    assert "50%" in progress_row.inner_text()  # quiz score
    expect(page.locator("#heatmap-table").get_by_text("Quiz 50%")).to_be_visible()
    expect(page.locator("#assignments-table").get_by_text("1 of 1")).to_be_visible()
    expect(page.get_by_text("Failed the quiz").first).to_be_visible()
    audit(page, "teacher-class")

    page.get_by_role("link", name="Alex Rivera").first.click()
    expect(page.get_by_text("Why does a ball keep rolling?").first).to_be_visible()
    audit(page, "teacher-student")

    # --- opens the exact lesson the student got and pins it --------------------------------------
    page.goto(f"/teacher/classes/{classroom.pk}/#oversight")
    page.locator("#oversight").get_by_role("link", name=lesson.title).click()
    page.wait_for_url(f"**/lessons/{lesson.pk}/")
    expect(page.get_by_text("Imagine a basketball at rest on the court.")).to_be_visible()
    expect(page.get_by_text("What keeps a resting ball at rest?")).to_be_visible()
    audit(page, "teacher-lesson")
    page.get_by_role("button", name="Pin for this class").click()
    expect(page.get_by_text("Pinned for this class").first).to_be_visible()
    assert PinnedLesson.objects.get(classroom=classroom).lesson == lesson

    page.goto(f"/teacher/classes/{classroom.pk}/settings/")
    audit(page, "teacher-class-settings")
    page.goto("/teacher/classes/")
    audit(page, "teacher-classes")

    # --- the district admin opens the usage page from the Django admin ---------------------------
    admin_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    admin = admin_context.new_page()
    sign_in(admin, tenant.district_admin.email, tenant.password)
    admin.goto("/admin/")
    admin.get_by_role("link", name="Usage dashboard").click()
    admin.wait_for_load_state("networkidle")
    expect(admin.get_by_role("heading", name=tenant.district.name)).to_be_visible()
    expect(admin.locator("#schools-table").get_by_text(tenant.school.name)).to_be_visible()
    audit(admin, "district-usage")
    admin_context.close()
