"""Gemini script writing against a fake Gemini at the HTTP boundary (a local HTTP server)."""

from __future__ import annotations

import json

import pytest

from content import services
from content.models import Lesson, ProviderCall
from content.pipeline.stages import build_brief
from content.pipeline.understand import understand
from content.tasks import write_script
from content.writers.local import compose_script
from tests.support.fake_gemini import FakeGemini
from vividly.providers import breakers

pytestmark = pytest.mark.django_db


def _lesson_waiting_for_script(student, topic) -> Lesson:
    request, _ = services.create_lesson_request(student=student, question="", topic_id=topic.pk, enforce_quota=False)
    understand(request.pk)  # attaches a new lesson in the scripting stage
    request.refresh_from_db()
    return request.lesson


def test_good_json_from_gemini_becomes_the_script_and_is_costed(mini_corpus, student, fake_gemini):
    lesson = _lesson_waiting_for_script(student, mini_corpus.topic("m90101"))
    script = compose_script(build_brief(lesson))  # a valid, grounded script, as Gemini would return it
    for question in script["quiz"]:
        question.pop("practice_item_id")
    script["title"] = "Newton's second law, courtside"
    fake_gemini.responses.append((200, FakeGemini.reply(json.dumps(script))))
    write_script.apply(args=[lesson.pk])
    lesson.refresh_from_db()
    assert lesson.stage == Lesson.Stage.NARRATING  # the stage after scripting
    assert lesson.providers["scripting"] == "gemini"
    assert lesson.title == "Newton's second law, courtside"
    call = ProviderCall.objects.get(capability="llm", provider="gemini")
    assert call.succeeded
    assert call.input_tokens == 2400
    assert call.output_tokens == 900
    assert call.estimated_cost > 0
    sent = fake_gemini.requests[0]
    assert sent["path"] == "/v1beta/models/gemini-test:generateContent"
    assert sent["key"] == "test-key"
    assert sent["body"]["generationConfig"]["responseMimeType"] == "application/json"
    assert {s["threshold"] for s in sent["body"]["safetySettings"]} == {"BLOCK_LOW_AND_ABOVE"}
    prompt = json.dumps(sent["body"])
    assert student.email not in prompt
    assert student.last_name not in prompt


def test_malformed_json_falls_back_to_the_local_writer_without_retrying(mini_corpus, student, fake_gemini):
    lesson = _lesson_waiting_for_script(student, mini_corpus.topic("m90101"))
    fake_gemini.responses.append((200, FakeGemini.reply('{"title": "oops", "scenes": [')))
    write_script.apply(args=[lesson.pk])
    lesson.refresh_from_db()
    assert len(fake_gemini.requests) == 1
    assert lesson.stage == Lesson.Stage.NARRATING  # the stage after scripting
    assert lesson.providers["scripting"] == "local"
    assert "malformed" in lesson.providers["scripting_fallback"]
    assert ProviderCall.objects.get(provider="gemini").succeeded is False
    assert ProviderCall.objects.get(provider="local").is_fallback


def test_ungrounded_json_is_rejected_and_replaced_locally(mini_corpus, student, fake_gemini):
    lesson = _lesson_waiting_for_script(student, mini_corpus.topic("m90101"))
    script = compose_script(build_brief(lesson))
    fact = next(s for scene in script["scenes"] for s in scene["sentences"] if not s["framing"])
    fact["text"] = "Point guards run faster because the hardwood floor is magnetized before every game."
    fake_gemini.responses.append((200, FakeGemini.reply(json.dumps(script))))
    write_script.apply(args=[lesson.pk])
    lesson.refresh_from_db()
    assert lesson.providers["scripting"] == "local"
    assert "grounded" in lesson.providers["scripting_fallback"]


def test_5xx_is_retried_with_backoff_then_falls_back_on_the_last_attempt(mini_corpus, student, fake_gemini):
    lesson = _lesson_waiting_for_script(student, mini_corpus.topic("m90101"))
    write_script.apply(args=[lesson.pk])  # every call answers 503
    lesson.refresh_from_db()
    assert len(fake_gemini.requests) == write_script.max_retries + 1
    assert lesson.stage == Lesson.Stage.NARRATING  # the stage after scripting
    assert lesson.providers["scripting"] == "local"
    assert ProviderCall.objects.filter(provider="gemini", succeeded=False).count() == write_script.max_retries + 1


def test_breaker_opens_and_later_lessons_fall_back_without_calling_gemini(
        mini_corpus, student, fake_gemini, settings):
    settings.BREAKERS = {"default": {"fail_max": 2, "reset_timeout": 60}}
    breakers.breaker.cache_clear()
    first = _lesson_waiting_for_script(student, mini_corpus.topic("m90101"))
    write_script.apply(args=[first.pk])
    assert breakers.states()["gemini"]["state"] == "open"
    hits = len(fake_gemini.requests)
    assert hits == 2
    second = _lesson_waiting_for_script(student, mini_corpus.topic("m90201"))
    write_script.apply(args=[second.pk])
    second.refresh_from_db()
    assert len(fake_gemini.requests) == hits  # the open circuit short-cuts the call
    assert second.providers["scripting"] == "local"
    assert "circuit is open" in second.providers["scripting_fallback"]
    assert ProviderCall.objects.filter(lesson=second, provider="local", is_fallback=True).exists()


def test_cloud_providers_flag_off_keeps_generation_local(mini_corpus, student, fake_gemini):
    # given Gemini is configured but the `cloud_providers` flag is off for the student's district
    from flags.models import Flag, FlagOverride

    FlagOverride.objects.create(flag=Flag.objects.get(name="cloud_providers"), scope="district",
                                district=student.district, active=False)
    lesson = _lesson_waiting_for_script(student, mini_corpus.topic("m90101"))
    write_script.apply(args=[lesson.pk])
    lesson.refresh_from_db()
    # then nothing reaches Gemini and the local writer is recorded with the reason
    assert fake_gemini.requests == []
    assert lesson.providers["scripting"] == "local"
    assert "cloud_providers" in lesson.providers["scripting_fallback"]
