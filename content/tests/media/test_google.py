"""Google TTS and Nano Banana against a fake Google at the HTTP boundary, breakers and fallback."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import wave

import pytest
from django.conf import settings as django_settings
from PIL import Image

from content.media.resilient import render_with_fallback, synthesize_with_fallback
from content.tests.media.conftest import Reply
from vividly.providers import breakers, registry
from vividly.providers.base import (
    ProviderFatal,
    ProviderRetryable,
    ProviderUnavailable,
    SlideSpec,
)
from vividly.providers.google_tts import GoogleTTS
from vividly.providers.nano_banana import NanoBananaImage, SafetyBlocked

SPEC = SlideSpec(title="Forces on the court", bullets=["Net force causes acceleration."],
                 citation="Source: OpenStax Physics, 4.3 · CC BY 4.0", interest="basketball",
                 scene_index=1, scene_count=5)


def wav_bytes(seconds: float = 1.5, rate: int = 24000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x01\x00" * int(seconds * rate))
    return buffer.getvalue()


def tts_ok(seconds: float = 1.5) -> Reply:
    return Reply(body={"audioContent": base64.b64encode(wav_bytes(seconds)).decode()})


def png_bytes(size=(1344, 768)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def image_ok() -> Reply:
    return Reply(body={"candidates": [{"content": {"parts": [
        {"text": "Here is your image"},
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png_bytes()).decode()}}]},
        "finishReason": "STOP"}]})


def google_settings(settings, fake_google):
    settings.GOOGLE_TTS = {**django_settings.GOOGLE_TTS, "BASE_URL": fake_google.url, "API_KEY": "test-key",
                           "TIMEOUT": 0.5}
    settings.NANO_BANANA = {**django_settings.NANO_BANANA, "BASE_URL": fake_google.url, "API_KEY": "test-key",
                            "TIMEOUT": 0.5}
    settings.VIVIDLY_PROVIDERS = {
        **django_settings.VIVIDLY_PROVIDERS,
        "image": {"BACKEND": "vividly.providers.nano_banana.NanoBananaImage", "FALLBACK": "image_local"},
        "tts": {"BACKEND": "vividly.providers.google_tts.GoogleTTS", "FALLBACK": "tts_local"},
    }
    registry.reset()


# --- Google TTS -------------------------------------------------------------------------------

def test_google_tts_returns_wav_with_real_duration_and_counts_characters(settings, fake_google, fresh_breakers):
    # given a fake Cloud TTS that answers with 1.5 s of LINEAR16 audio, configured through settings
    google_settings(settings, fake_google)
    fake_google.queue(tts_ok(1.5))
    # when we synthesize
    clip = GoogleTTS().synthesize("Gravity pulls the ball down.")
    # then the clip is a WAV of the real length, and the request was a proper text:synthesize call
    assert clip.duration_seconds == pytest.approx(1.5, abs=0.01)
    assert clip.sample_rate == 24000
    with wave.open(io.BytesIO(clip.wav)) as wav:
        assert wav.getnframes() == 36000
    assert clip.usage.characters == len("Gravity pulls the ball down.")
    assert clip.usage.provider == "google_tts"
    sent = fake_google.requests[0]
    assert sent["path"] == "/v1/text:synthesize"
    assert sent["headers"]["x-goog-api-key"] == "test-key"
    assert sent["json"]["audioConfig"]["audioEncoding"] == "LINEAR16"
    assert sent["json"]["input"]["text"] == "Gravity pulls the ball down."
    assert sent["json"]["voice"]["name"] == django_settings.GOOGLE_TTS["VOICE"]


def test_google_tts_splits_long_text_under_the_request_limit(fake_google, fresh_breakers):
    fake_google.default = tts_ok(1.0)
    text = " ".join(f"Sentence number {i} explains one more idea about forces." for i in range(150))
    clip = GoogleTTS(base_url=fake_google.url, api_key="k").synthesize(text)
    assert len(fake_google.requests) >= 2
    assert all(len(r["json"]["input"]["text"].encode()) <= 5000 for r in fake_google.requests)
    assert clip.duration_seconds == pytest.approx(len(fake_google.requests) * 1.0, abs=0.01)
    assert clip.usage.characters == len(text) - (len(fake_google.requests) - 1)  # joining spaces


@pytest.mark.parametrize(("reply_case", "reply", "error"), [
    ("server_error", Reply(status=503, body=b"unavailable"), ProviderRetryable),
    ("rate_limited", Reply(status=429, body=b"slow down"), ProviderRetryable),
    ("timeout", Reply(delay=1.5, body={"audioContent": ""}), ProviderRetryable),
    ("bad_request", Reply(status=400, body=b"bad voice"), ProviderFatal),
    ("not_json", Reply(body=b"<html>oops</html>", content_type="text/html"), ProviderFatal),
    ("no_audio_key", Reply(body={"something": "else"}), ProviderFatal),
    ("audio_not_wav", Reply(body={"audioContent": base64.b64encode(b"not a wav").decode()}), ProviderFatal),
])
def test_google_tts_maps_failures(fake_google, fresh_breakers, reply_case, reply, error):
    fake_google.queue(reply)
    with pytest.raises(error):
        GoogleTTS(base_url=fake_google.url, api_key="k", timeout=0.5).synthesize("Hello there.")


def test_tts_breaker_opens_after_fail_max_and_is_shared_with_a_fresh_process(fake_google, fresh_breakers):
    # given a TTS service failing with 500s and fail_max=3
    fake_google.default = Reply(status=500, body=b"boom")
    tts = GoogleTTS(base_url=fake_google.url, api_key="k")
    # when it fails fail_max times
    for _ in range(2):
        with pytest.raises(ProviderRetryable):
            tts.synthesize("Hello.")
    with pytest.raises(ProviderUnavailable):  # the third failure trips the breaker
        tts.synthesize("Hello.")
    # then further calls fail fast without reaching the server
    calls = len(fake_google.requests)
    with pytest.raises(ProviderUnavailable):
        tts.synthesize("Hello.")
    assert len(fake_google.requests) == calls == 3
    assert breakers.breaker("tts").current_state == "open"
    # and another process (another worker) sees the same open state through Redis
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
           "VIVIDLY_TEST_REDIS_DB": str(django_settings.REDIS_URL.rsplit("/", 1)[1])}
    code = ("import django; django.setup(); from vividly.providers.breakers import breaker; "
            "b = breaker('tts'); print(b.current_state, b.fail_counter)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR,  # noqa: S603 - this interpreter running the test's own snippet
                         capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert out[-2:] == ["open", "3"]


def test_synthesize_with_fallback_uses_the_local_voice_while_tts_breaker_is_open(settings, fake_google,
                                                                                fresh_breakers):
    # given Google TTS configured as the tts provider, and its breaker open
    google_settings(settings, fake_google)
    fake_google.default = Reply(status=500, body=b"boom")
    breakers.breaker("tts").open()
    # when the stage narrates
    media = synthesize_with_fallback("The ball speeds up. A net force acts on it.")
    # then the local neural voice did it, the fallback is reported, and Google was never called
    assert media.provider == "piper"
    assert media.result.voice == "piper:en_US-joe-medium"
    assert media.fell_back is True
    assert "ProviderUnavailable" in media.reason
    assert media.result.duration_seconds > 1.0
    assert fake_google.requests == []


def test_synthesize_with_fallback_uses_google_while_healthy(settings, fake_google, fresh_breakers):
    google_settings(settings, fake_google)
    fake_google.queue(tts_ok(2.0))
    media = synthesize_with_fallback("The ball speeds up.")
    assert (media.provider, media.fell_back) == ("google_tts", False)
    assert media.result.duration_seconds == pytest.approx(2.0, abs=0.01)


def test_retryable_tts_error_propagates_for_the_task_to_retry(settings, fake_google, fresh_breakers):
    google_settings(settings, fake_google)
    fake_google.queue(Reply(status=503, body=b"busy"))
    with pytest.raises(ProviderRetryable):
        synthesize_with_fallback("The ball speeds up.")


# --- Nano Banana ------------------------------------------------------------------------------

def test_nano_banana_returns_1280x720_png_with_citation_footer(settings, fake_google, fresh_breakers):
    google_settings(settings, fake_google)
    fake_google.queue(image_ok())
    image = NanoBananaImage().render(SPEC)
    with Image.open(io.BytesIO(image.png)) as png:
        assert (png.format, png.size) == ("PNG", (1280, 720))
        assert png.getpixel((640, 200)) == (200, 40, 40)  # the model's picture
        assert png.getpixel((5, 715)) == (10, 14, 24)  # the footer bar holding the citation
    assert image.usage.images == 1
    assert image.usage.provider == "nano_banana"
    sent = fake_google.requests[0]
    assert sent["path"] == f"/v1beta/models/{django_settings.NANO_BANANA['MODEL']}:generateContent"
    assert sent["json"]["generationConfig"]["responseModalities"] == ["IMAGE"]
    assert "Forces on the court" in sent["json"]["contents"][0]["parts"][0]["text"]


@pytest.mark.parametrize(("reply_case", "reply", "error"), [
    ("prompt_blocked", Reply(body={"promptFeedback": {"blockReason": "SAFETY"}}), SafetyBlocked),
    ("image_withheld", Reply(body={"candidates": [{"finishReason": "IMAGE_SAFETY", "content": {"parts": []}}]}),
     SafetyBlocked),
    ("no_candidates", Reply(body={"candidates": []}), ProviderFatal),
    ("text_only", Reply(body={"candidates": [{"content": {"parts": [{"text": "no"}]}, "finishReason": "STOP"}]}),
     ProviderFatal),
    ("bad_base64", Reply(body={"candidates": [{"content": {"parts": [
        {"inlineData": {"mimeType": "image/png", "data": "%%%"}}]}}]}), ProviderFatal),
    ("not_an_image", Reply(body={"candidates": [{"content": {"parts": [
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(b"nope").decode()}}]}}]}),
     ProviderFatal),
    ("server_error", Reply(status=502, body=b"bad gateway"), ProviderRetryable),
    ("timeout", Reply(delay=1.5), ProviderRetryable),
])
def test_nano_banana_maps_failures(fake_google, fresh_breakers, reply_case, reply, error):
    fake_google.queue(reply)
    with pytest.raises(error):
        NanoBananaImage(base_url=fake_google.url, api_key="k", timeout=0.5).render(SPEC)


def test_safety_blocks_do_not_count_against_the_breaker(fake_google, fresh_breakers):
    fake_google.default = Reply(body={"promptFeedback": {"blockReason": "SAFETY"}})
    provider = NanoBananaImage(base_url=fake_google.url, api_key="k")
    for _ in range(4):
        with pytest.raises(SafetyBlocked):
            provider.render(SPEC)
    assert breakers.breaker("nano_banana").current_state == "closed"
    assert breakers.breaker("nano_banana").fail_counter == 0


def test_render_with_fallback_draws_local_slide_while_nano_banana_breaker_is_open(
        settings, fake_google, fresh_breakers):
    # given Nano Banana configured and failing with 500s
    google_settings(settings, fake_google)
    fake_google.default = Reply(status=500, body=b"boom")
    # when three scenes fail (fail_max=3), the breaker opens on the third and that scene falls back
    for _ in range(2):
        with pytest.raises(ProviderRetryable):
            render_with_fallback(SPEC)
    media = render_with_fallback(SPEC)
    assert (media.provider, media.fell_back) == ("local_slides", True)
    assert breakers.breaker("nano_banana").current_state == "open"
    # then while open, scenes are drawn locally without calling Google
    calls = len(fake_google.requests)
    media = render_with_fallback(SPEC)
    assert (media.provider, media.fell_back) == ("local_slides", True)
    assert len(fake_google.requests) == calls
    with Image.open(io.BytesIO(media.result.png)) as png:
        assert png.size == (1280, 720)


def test_render_with_fallback_draws_local_slide_for_a_safety_blocked_scene(settings, fake_google, fresh_breakers):
    google_settings(settings, fake_google)
    fake_google.queue(Reply(body={"candidates": [{"finishReason": "IMAGE_SAFETY"}]}))
    media = render_with_fallback(SPEC)
    assert (media.provider, media.fell_back) == ("local_slides", True)
    assert "SafetyBlocked" in media.reason


def test_breaker_half_opens_after_reset_timeout_and_closes_on_success(settings, fake_google, fresh_breakers):
    settings.BREAKERS = {"default": {"fail_max": 1, "reset_timeout": 1}}
    breakers.breaker.cache_clear()
    fake_google.queue(Reply(status=500, body=b"boom"), image_ok())
    provider = NanoBananaImage(base_url=fake_google.url, api_key="k")
    with pytest.raises(ProviderUnavailable):
        provider.render(SPEC)
    assert breakers.breaker("nano_banana").current_state == "open"
    import time

    time.sleep(1.1)
    assert provider.render(SPEC).width == 1280  # the trial call succeeds
    assert breakers.breaker("nano_banana").current_state == "closed"


def test_default_providers_are_local():
    registry.reset()
    assert registry.get("image").name == "local_slides"
    assert registry.get("tts").name == "piper"
    assert django_settings.VIVIDLY_PROVIDERS["tts"]["FALLBACK"] == "tts_espeak"
    assert django_settings.VIVIDLY_PROVIDERS["image"]["FALLBACK"] == "image_local"
