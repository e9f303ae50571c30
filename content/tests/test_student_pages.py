"""Student pages: dashboard, catalogue, lesson states, permissions and fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.tests.factories import StudentFactory
from content.models import LessonProgress, ProblemReport, RequestStatus
from content.tests.student_fixtures import make_catalogue, make_interests, make_lesson, make_request
from flags.models import Flag, FlagOverride


@pytest.fixture
def student(tenant_a, client):
    make_interests(tenant_a.student)
    client.force_login(tenant_a.student)
    return tenant_a.student


@pytest.fixture
def topics(db):
    return make_catalogue()


def test_dashboard_shows_live_ready_failed_and_refused(client, student, topics):
    lesson = make_lesson(topics["newton1"])
    make_request(student, lesson, question="Why does a ball keep rolling?")
    make_request(student, None, status=RequestStatus.RENDERING, question="How do magnets work?",
                 message="Drawing the visuals", topic=topics["newton2"])
    make_request(student, None, status=RequestStatus.NEEDS_CHOICE, question="What is force?",
                 choices=[{"topic_id": t.pk, "title": t.title} for t in list(topics.values())[:3]])
    make_request(student, None, status=RequestStatus.REFUSED, question="what's for lunch",
                 message="That's not something Vividly can teach — try a science question.")
    make_request(student, None, status=RequestStatus.FAILED, question="How do cells divide?",
                 message="The video couldn't be put together.")
    html = client.get(reverse("student:dashboard")).content.decode()
    assert escape(lesson.title) in html
    assert "Drawing the visuals" in html
    assert 'hx-trigger="every 2s"' in html
    assert all(escape(t.title) in html for t in list(topics.values())[:3])
    assert "try a science question" in html
    assert "The video couldn&#x27;t be put together." in html
    assert "Try again" in html
    assert "No assignments" in html  # empty state


def test_live_partial_stops_polling_when_nothing_is_in_progress(client, student, topics):
    make_request(student, make_lesson(topics["newton1"]))
    html = client.get(reverse("student:live"), HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in html
    assert "is ready" in html


def test_catalogue_browse_subject_chapter_section(client, student, topics):
    assert "Physics" in client.get(reverse("student:catalogue")).content.decode()
    book = client.get(reverse("student:catalogue-book", args=["physics"])).content.decode()
    assert "Forces and Newton" in book
    chapter = client.get(reverse("student:catalogue-chapter", args=["physics", 14])).content.decode()
    assert "Newton&#x27;s Second Law of Motion" in chapter
    assert reverse("student:request-section", args=[topics["newton2"].pk]) in chapter
    assert client.get(reverse("student:catalogue-book", args=["nope"])).status_code == 404


def test_suggestions_come_from_the_catalogue(client, student, topics):
    html = client.get(reverse("student:suggest"), {"question": "why do boats float buoyancy"}).content.decode()
    assert "Buoyancy: why things float" in html
    assert client.get(reverse("student:suggest"), {"question": "a"}).content.decode().strip() == ""


def test_lesson_page_has_player_transcript_citations_quiz(client, student, topics):
    req = make_request(student, make_lesson(topics["newton1"]))
    html = client.get(reverse("student:lesson", args=[req.pk])).content.decode()
    assert 'id="player"' in html
    assert "plyr.min.js" in html
    assert 'kind="captions"' in html
    assert "https://openstax.org/books/physics/pages/m9001" in html
    assert "CC BY 4.0" in html
    assert "What keeps a resting ball at rest?" in html
    assert "Try another interest" in html
    assert "Make it simpler" in html
    assert "Report a problem" in html


def test_lesson_page_offers_the_other_sections_found_for_the_question(client, student, topics):
    # given a lesson on the first law for a question that also matched the second law and buoyancy
    choices = [{"topic_id": t.pk, "title": t.title, "book": "Physics"} for t in
               (topics["newton1"], topics["newton2"], topics["buoyancy"])]
    req = make_request(student, make_lesson(topics["newton1"]), question="Why is a full cart hard to push?",
                       choices=choices)
    html = client.get(reverse("student:lesson", args=[req.pk])).content.decode()
    # then the page offers the two others, not the one it teaches
    offers = html.split("Not quite what you asked?", 1)[1].split("</form>", 1)[0]
    assert escape(topics["newton2"].title) in offers
    assert topics["buoyancy"].title in offers
    assert escape(topics["newton1"].title) not in offers
    url = reverse("student:after-lesson", args=[req.pk, "other-section"])
    # when the student picks one, the same question is asked of that section
    client.post(url, {"topic_id": topics["newton2"].pk})
    new = student.lesson_requests.exclude(pk=req.pk).get()
    assert (new.question, new.topic_id) == (req.question, topics["newton2"].pk)
    # and a section that was not offered makes nothing
    response = client.post(url, {"topic_id": topics["cells"].pk}, follow=True)
    assert "Pick one of the sections offered" in response.content.decode()
    assert student.lesson_requests.count() == 2


def test_another_students_lesson_is_404_unless_shared_by_reuse(client, student, tenant_a, tenant_b, topics):
    lesson = make_lesson(topics["newton1"])
    theirs = make_request(tenant_b.student, lesson)
    assert client.get(reverse("student:lesson", args=[theirs.pk])).status_code == 404
    # same school, other student, different lesson → still 404
    other_lesson = make_lesson(topics["newton2"])
    classmate = StudentFactory(school=tenant_a.school)
    classmate_req = make_request(classmate, other_lesson)
    assert client.get(reverse("student:lesson", args=[classmate_req.pk])).status_code == 404
    # once this student has their own request for the shared lesson, the URL leads to their own copy
    mine = make_request(student, lesson)
    response = client.get(reverse("student:lesson", args=[theirs.pk]))
    assert response.status_code == 302
    assert response.url == reverse("student:lesson", args=[mine.pk])
    LessonProgress.objects.create(student=tenant_b.student, lesson=lesson, position_seconds=5)
    html = client.get(response.url).content.decode()
    assert 'data-resume="0"' in html  # not the other student's position


def test_failed_lesson_explains_and_offers_retry(client, student, topics):
    req = make_request(student, None, status=RequestStatus.FAILED, topic=topics["newton1"],
                       message="The narration service was down.")
    html = client.get(reverse("student:lesson", args=[req.pk])).content.decode()
    assert "The narration service was down." in html
    assert "Try again" in html


def test_missing_video_is_a_friendly_page(client, student, topics, settings, tmp_path):
    lesson = make_lesson(topics["newton1"])
    lesson.video_path = "test-student/deleted.mp4"
    lesson.save()
    req = make_request(student, lesson)
    response = client.get(reverse("student:lesson", args=[req.pk]))
    assert response.status_code == 200
    assert "isn't available right now" in response.content.decode()


def test_vivid_now_shows_script_before_video(client, student, topics):
    lesson = make_lesson(topics["newton1"], ready=False)
    req = make_request(student, lesson, status=RequestStatus.NARRATING,
                       choices=[{"topic_id": topics["newton2"].pk, "title": topics["newton2"].title}])
    html = client.get(reverse("student:lesson", args=[req.pk])).content.decode()
    assert "Vivid Now" in html
    assert "Imagine a basketball at rest on the court." in html
    # while it is being made, the student can already switch to another section found for the question
    assert "Not quite what you asked?" in html
    assert reverse("student:after-lesson", args=[req.pk, "other-section"]) in html
    polled = client.get(reverse("student:lesson", args=[req.pk]) + "?had_lesson=True", HTTP_HX_REQUEST="true")
    assert polled.status_code == 204
    assert "HX-Refresh" not in polled
    lesson.stage = lesson.Stage.READY
    lesson.save()
    polled = client.get(reverse("student:lesson", args=[req.pk]) + "?had_lesson=True", HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"


def test_quiz_answer_gives_instant_feedback(client, student, topics):
    req = make_request(student, make_lesson(topics["newton1"]))
    q = req.lesson.quiz_questions.first()
    url = reverse("student:answer", args=[req.pk, q.pk])
    bad = client.post(url, {"choice": "nonsense"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "Pick one of the answers" in bad.content.decode()
    good = client.post(url, {"choice": "Inertia"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-feedback="correct"' in good
    assert "objects keep their state of motion" in good


def test_report_problem_reaches_the_teacher(client, student, tenant_a, topics):
    req = make_request(student, make_lesson(topics["newton1"]))
    url = reverse("student:report", args=[req.pk])
    assert client.post(url, {"reason": "other", "details": ""}).status_code == 400
    assert client.post(url, {"reason": "wrong", "details": "The numbers look off"}).status_code == 302
    assert ProblemReport.objects.visible_to(tenant_a.teacher).filter(lesson_request=req).count() == 1


def test_mark_complete(client, student, topics):
    req = make_request(student, make_lesson(topics["newton1"]))
    client.post(reverse("student:after-lesson", args=[req.pk, "complete"]))
    assert LessonProgress.objects.get(student=student, lesson=req.lesson).completed_by == "marked"


def _count(client, url) -> int:
    client.get(url)  # warm-up: session, flags and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["student:dashboard", "student:lessons"])
def test_query_count_does_not_grow_with_lessons(client, student, topics, url_name, django_assert_num_queries):
    # given 2 lessons, measure; then 30 more lessons with progress → the same number of queries
    for _ in range(2):
        req = make_request(student, make_lesson(topics["newton1"], video=False))
        LessonProgress.objects.create(student=student, lesson=req.lesson, lesson_request=req, position_seconds=3)
    baseline = _count(client, reverse(url_name))
    for i in range(30):
        req = make_request(student, make_lesson(topics["cells" if i % 2 else "newton2"], video=False))
        LessonProgress.objects.create(student=student, lesson=req.lesson, lesson_request=req, position_seconds=3)
    with django_assert_num_queries(baseline):
        client.get(reverse(url_name))


def test_lesson_page_query_count_is_fixed(client, student, topics, django_assert_num_queries):
    req = make_request(student, make_lesson(topics["newton1"]))
    baseline = _count(client, reverse("student:lesson", args=[req.pk]))
    for i in range(10):
        make_request(student, make_lesson(topics["newton2"], video=False), question=f"q{i}")
    with django_assert_num_queries(baseline):
        client.get(reverse("student:lesson", args=[req.pk]))


def test_styleguide_only_with_debug(client, settings):
    assert client.get("/styleguide/").status_code == 404
    settings.DEBUG = True
    assert client.get("/styleguide/").status_code == 200


def test_quizzes_flag_off_hides_the_quiz(client, student, topics):
    FlagOverride.objects.create(flag=Flag.objects.get(name="quizzes"), scope="user", user=student, active=False)
    req = make_request(student, make_lesson(topics["newton1"]))
    html = client.get(reverse("student:lesson", args=[req.pk])).content.decode()
    assert 'id="player"' in html
    assert "What keeps a resting ball at rest?" not in html
