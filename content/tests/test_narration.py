"""The narrating stage: the neural voice on every scene, timings kept, Vivid Now from scene 1, and a
recorded fallback to espeak-ng when the voice cannot load (real model, real espeak-ng, real DB)."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from content import selectors, services
from content.media.piper import default_model_path
from content.media.speech import split_sentences
from content.models import Lesson, LessonRequest, ProviderCall, RequestStatus
from content.pipeline import state
from content.pipeline.stages import run_narration, run_script, run_visuals
from content.pipeline.understand import understand
from vividly.providers import registry


def _narrated_request(mini_corpus, student, before_slides: list | None = None) -> LessonRequest:
    request, _ = services.create_lesson_request(student=student, question="",
                                                topic_id=mini_corpus.topic("m90201").pk, enforce_quota=False)
    token = state.INLINE.set(True)
    try:
        understand(request.pk)
        request.refresh_from_db()
        run_script(request.lesson_id)
        run_narration(request.lesson_id)
        if before_slides is not None:  # what the student's status API shows right after narrating
            request.refresh_from_db()
            before_slides.append(selectors.request_payload(request))
        run_visuals(request.lesson_id)
    finally:
        state.INLINE.reset(token)
    request.refresh_from_db()
    return request


def test_every_scene_speaks_with_the_neural_voice_and_vivid_now_starts_with_scene_one(
        mini_corpus, student, client):
    before_slides: list[dict] = []
    request = _narrated_request(mini_corpus, student, before_slides)
    lesson = request.lesson
    # narration comes right after the script: Vivid Now plays it while the slides are drawn
    (payload,) = before_slides
    assert payload["status"] == "rendering"
    assert all(scene["audio_url"].endswith(".wav") for scene in payload["vivid_now"]["scenes"])
    scenes = list(lesson.scenes.all())
    # every scene voiced by Piper, with one timing per caption sentence, and the voice recorded
    assert {s.audio_provider for s in scenes} == {"piper"}
    for scene in scenes:
        spans = scene.audio_timings["sentences"]
        assert len(spans) == len(split_sentences(scene.narration))
        assert all(0 <= start < end <= scene.audio_seconds for start, end in spans)
    assert lesson.providers["narrating"] == "piper"
    assert lesson.providers["voice"] == "piper:en_US-joe-medium"
    assert "narrating_fallback" not in lesson.providers
    assert lesson.stage_log["narrating"]["first_audio"] <= lesson.stage_log["narrating"]["finished"]
    assert 40 <= lesson.narration_seconds <= 150

    # while the later scenes are still being voiced, Vivid Now already offers scene 1
    Lesson.objects.filter(pk=lesson.pk).update(stage=Lesson.Stage.NARRATING)
    LessonRequest.objects.filter(pk=request.pk).update(status=RequestStatus.NARRATING)
    lesson.scenes.exclude(index=1).update(audio_url="", audio_path="")
    request.refresh_from_db()
    now = selectors.request_payload(request)["vivid_now"]
    assert now["scenes"][0]["audio_url"].endswith(".wav")
    assert [s["audio_url"] for s in now["scenes"][1:]] == [None] * (len(scenes) - 1)
    # and the Vivid Now page reloads once to show it (never again until the video is ready)
    client.force_login(student)
    url = reverse("student:lesson", args=[request.pk])
    assert client.get(f"{url}?had_lesson=True&had_audio=False", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(f"{url}?had_lesson=True&had_audio=True", HTTP_HX_REQUEST="true")
    # before scene 1 has audio there is nothing to play yet
    lesson.scenes.filter(index=1).update(audio_url="", audio_path="")
    assert selectors.request_payload(request)["vivid_now"] is None


@pytest.fixture
def broken_voice(settings, tmp_path):
    """Both Piper entries point at a model file that is not an ONNX model."""
    model = tmp_path / "en_US-broken-medium.onnx"
    model.write_bytes(b"not a model")
    shutil.copy(default_model_path() + ".json", tmp_path / "en_US-broken-medium.onnx.json")
    providers = django_settings.VIVIDLY_PROVIDERS
    options = {**providers["tts_local"]["OPTIONS"], "model_path": str(model)}
    settings.VIVIDLY_PROVIDERS = {**providers, "tts": {**providers["tts"], "OPTIONS": options},
                                  "tts_local": {**providers["tts_local"], "OPTIONS": options}}
    registry.reset()
    yield
    registry.reset()


def test_when_the_voice_cannot_load_espeak_speaks_and_the_lesson_records_it(mini_corpus, student, broken_voice):
    request = _narrated_request(mini_corpus, student)
    lesson = request.lesson
    assert {s.audio_provider for s in lesson.scenes.all()} == {"espeak"}
    assert all(s.audio_seconds > 1 for s in lesson.scenes.all())
    assert lesson.providers["narrating"] == "espeak"
    assert lesson.providers["voice"] == "espeak-ng:en-us"
    assert "Piper model failed to load" in lesson.providers["narrating_fallback"]
    assert request.providers["voice"] == "espeak-ng:en-us"  # the student's request shows it too
    calls = ProviderCall.objects.filter(lesson=lesson, capability="tts")
    assert calls.count() == lesson.scenes.count()
    assert all(call.is_fallback and call.provider == "espeak" for call in calls)
