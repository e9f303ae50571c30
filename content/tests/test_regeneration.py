"""Teacher regeneration (issue 15, finding 3): charged to the teacher's district under its budget and
residency rules, one pending regeneration per lesson, a per-teacher rate limit, class-scoped."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.privacy.models import DistrictPrivacySettings
from content import services
from content.models import DistrictBudget, Lesson, LessonRequest, ProviderCall
from content.pipeline.stages import build_brief
from content.pipeline.understand import reuse_key
from content.tasks import write_script
from content.testing import FakeGemini
from content.writers.local import compose_script
from vividly.providers.base import Usage

pytestmark = pytest.mark.django_db


def _received(student, topic, *, interest: str = "Basketball") -> Lesson:
    """A finished lesson one of the teacher's students received."""
    question = f"Teach me about {topic.title}"  # what a catalogue pick asks; the question is part of the key
    lesson = Lesson.objects.create(
        reuse_key=reuse_key(module_ids=[topic.module_id], interest=interest, grade_band="9-10", question=question),
        topic=topic,
        module_ids=[topic.module_id], interest=interest, grade_band="9-10", generator_version="test",
        stage=Lesson.Stage.READY, title=f"{topic.title} with {interest}", ready_at=timezone.now())
    LessonRequest.objects.create(student=student, question=question, topic=topic,
                                 lesson=lesson, status="ready", grade_band="9-10", interest_name=interest)
    return lesson


def _regenerate(user, classroom, lesson, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("teacher:lesson_action", args=[classroom.pk, lesson.pk]),
                               {"action": "regenerate"}, follow=True)
    return response, callbacks


def test_regeneration_is_charged_to_the_teachers_district(mini_corpus, tenant_a, fake_gemini,
                                                          django_capture_on_commit_callbacks):
    old = _received(tenant_a.student, mini_corpus.topic("m90101"))
    _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    fresh = Lesson.objects.get(regenerated_from=old)
    assert fresh.paying_district == tenant_a.district
    assert fresh.regenerated_by == tenant_a.teacher
    # when the worker writes the script with the (paid) cloud writer
    script = compose_script(build_brief(fresh))
    for question in script["quiz"]:
        question.pop("practice_item_id")
    fake_gemini.responses.append((200, FakeGemini.reply(json.dumps(script))))
    write_script.apply(args=[fresh.pk])
    fresh.refresh_from_db()
    assert fresh.providers["scripting"] == "gemini"
    # then every cost row names the teacher's district, and its month's spend includes them
    calls = ProviderCall.objects.filter(lesson=fresh)
    assert calls.exists()
    assert set(calls.values_list("district_id", flat=True)) == {tenant_a.district.pk}
    assert services.month_spend(district_id=tenant_a.district.pk) > 0


def test_regeneration_follows_the_teachers_district_data_residency(mini_corpus, tenant_a, fake_gemini,
                                                                   django_capture_on_commit_callbacks):
    DistrictPrivacySettings.objects.create(district=tenant_a.district, ai_data_residency=True)
    old = _received(tenant_a.student, mini_corpus.topic("m90101"))
    _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    fresh = Lesson.objects.get(regenerated_from=old)
    write_script.apply(args=[fresh.pk])
    fresh.refresh_from_db()
    assert fake_gemini.requests == []  # nothing left for Google
    assert fresh.providers["scripting"] == "local"
    assert fresh.providers["scripting_fallback"] == "district data residency"


def test_a_paused_budget_refuses_regeneration_kindly(mini_corpus, tenant_a, django_capture_on_commit_callbacks):
    DistrictBudget.objects.create(district=tenant_a.district, monthly_budget=Decimal("0.01"),
                                  action_at_limit=DistrictBudget.Action.PAUSE)
    services.record_provider_call(capability="llm", usage=Usage(provider="gemini", output_tokens=10_000),
                                  district_id=tenant_a.district.pk)
    old = _received(tenant_a.student, mini_corpus.topic("m90101"))
    response, callbacks = _regenerate(tenant_a.teacher, tenant_a.classroom, old,
                                      django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "lesson budget for this month" in response.content.decode()
    assert not Lesson.objects.filter(regenerated_from=old).exists()
    assert callbacks == []
    old.refresh_from_db()
    assert old.reuse_key == reuse_key(module_ids=old.module_ids, interest=old.interest, grade_band="9-10",
                                     question=f"Teach me about {old.topic.title}")


def test_a_second_request_while_one_runs_returns_the_pending_one(mini_corpus, tenant_a,
                                                                  django_capture_on_commit_callbacks):
    old = _received(tenant_a.student, mini_corpus.topic("m90101"))
    _first, callbacks = _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    assert len(callbacks) == 1
    again, callbacks = _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    assert "already being made" in again.content.decode()
    assert callbacks == []  # no second job
    assert Lesson.objects.filter(regenerated_from=old).count() == 1
    # and directly: the service hands back the running one
    fresh, created = services.regenerate_lesson(actor=tenant_a.teacher, lesson=old)
    assert not created
    assert fresh == Lesson.objects.get(regenerated_from=old)


def test_a_failed_regeneration_is_run_again_under_the_same_reuse_key(mini_corpus, tenant_a,
                                                                     django_capture_on_commit_callbacks):
    old = _received(tenant_a.student, mini_corpus.topic("m90101"))
    key = old.reuse_key
    _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    Lesson.objects.filter(regenerated_from=old).update(stage=Lesson.Stage.FAILED, error="media")
    _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    (fresh,) = Lesson.objects.filter(regenerated_from=old)
    assert fresh.stage == Lesson.Stage.SCRIPTING
    assert fresh.reuse_key == key  # new requests for the section still find it


def test_regenerations_are_rate_limited_per_teacher(mini_corpus, tenant_a, settings,
                                                    django_capture_on_commit_callbacks):
    from accounts.tests.factories import TeacherFactory

    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "lesson_regenerate": "2/h"}
    lessons = [_received(tenant_a.student, mini_corpus.topic("m90101"), interest=name)
               for name in ("Basketball", "Music", "Gaming")]
    results = [_regenerate(tenant_a.teacher, tenant_a.classroom, lesson, django_capture_on_commit_callbacks)[0]
               for lesson in lessons]
    assert Lesson.objects.filter(regenerated_from__in=lessons).count() == 2
    assert "regenerated several lessons this hour" in results[2].content.decode()
    # another teacher (a co-teacher of the same class) has their own allowance
    co_teacher = TeacherFactory(school=tenant_a.school)
    tenant_a.classroom.teachers.add(co_teacher)
    _regenerate(co_teacher, tenant_a.classroom, lessons[2], django_capture_on_commit_callbacks)
    assert Lesson.objects.filter(regenerated_from=lessons[2]).count() == 1


def test_regeneration_is_scoped_to_the_teachers_classes(mini_corpus, tenant_a, tenant_b,
                                                        django_capture_on_commit_callbacks):
    ours = _received(tenant_a.student, mini_corpus.topic("m90101"))
    theirs = _received(tenant_b.student, mini_corpus.topic("m90101"), interest="Music")
    # another district's teacher, through their own class or ours: 404, nothing made
    for classroom in (tenant_b.classroom, tenant_a.classroom):
        response, _ = _regenerate(tenant_b.teacher, classroom, ours, django_capture_on_commit_callbacks)
        assert response.status_code == 404
    # our teacher, with a lesson no student of the class received: 404
    response, _ = _regenerate(tenant_a.teacher, tenant_a.classroom, theirs, django_capture_on_commit_callbacks)
    assert response.status_code == 404
    # a student cannot
    response, _ = _regenerate(tenant_a.student, tenant_a.classroom, ours, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not Lesson.objects.filter(regenerated_from__isnull=False).exists()


def test_a_student_who_restarts_a_failed_regeneration_pays_for_it(mini_corpus, tenant_a, tenant_b,
                                                                    django_capture_on_commit_callbacks):
    from accounts.models import Interest
    from content.pipeline.understand import understand

    Interest.objects.get_or_create(slug="basketball", defaults={"name": "Basketball", "category": "sports"})
    topic = mini_corpus.topic("m90101")
    old = _received(tenant_a.student, topic)
    _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    fresh = Lesson.objects.get(regenerated_from=old)
    Lesson.objects.filter(pk=fresh.pk).update(stage=Lesson.Stage.FAILED)
    # a student of another district asks for the same section and framing: their request restarts the job
    request, _ = services.create_lesson_request(student=tenant_b.student, topic_id=topic.pk, interest="basketball",
                                                enforce_quota=False, enqueue=False)
    with django_capture_on_commit_callbacks():
        understand(request.pk)
    fresh.refresh_from_db()
    assert fresh.stage == Lesson.Stage.SCRIPTING
    assert fresh.paying_district == tenant_b.district
    # and a new job started by a student records its payer from the start
    other = mini_corpus.topic("m90102")
    request, _ = services.create_lesson_request(student=tenant_b.student, topic_id=other.pk, interest="basketball",
                                                enforce_quota=False, enqueue=False)
    with django_capture_on_commit_callbacks():
        understand(request.pk)
    request.refresh_from_db()
    assert request.lesson.paying_district == tenant_b.district


def test_another_districts_admin_does_not_see_who_regenerated_a_shared_lesson(mini_corpus, tenant_a, tenant_b,
                                                                              django_capture_on_commit_callbacks):
    from accounts.tests.factories import UserFactory

    old = _received(tenant_a.student, mini_corpus.topic("m90101"))
    _regenerate(tenant_a.teacher, tenant_a.classroom, old, django_capture_on_commit_callbacks)
    fresh = Lesson.objects.get(regenerated_from=old)
    Lesson.objects.filter(pk=fresh.pk).update(stage=Lesson.Stage.READY)
    LessonRequest.objects.create(student=tenant_b.student, question="Teach me", topic=fresh.topic, lesson=fresh,
                                 status="ready", grade_band="9-10")  # shared with district B through reuse
    url = reverse("admin:content_lesson_change", args=[fresh.pk])
    admin_b = Client()
    admin_b.force_login(tenant_b.district_admin)
    page = admin_b.get(url).content.decode()
    assert escape(fresh.title) in page
    for detail in (tenant_a.teacher.email, tenant_a.teacher.get_full_name(), tenant_a.district.name):
        assert detail not in page
    root = Client()
    root.force_login(UserFactory(is_superuser=True, school=None, district=None, role="district_admin"))
    assert str(tenant_a.teacher) in root.get(url).content.decode()
