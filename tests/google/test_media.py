"""Cloud TTS (google-cloud-texttospeech, REST) and the image model (google-genai) against the fake
Google over real HTTP: request contracts, caption alignment, failures, breakers and fallbacks (issue 19)."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import time
import wave

import pytest
from PIL import Image

from content.media.resilient import render_with_fallback, synthesize_with_fallback
from tests.support.fake_google import (
    FAKE_ACCESS_TOKEN,
    Reply,
    configure_google,
    gemini_image_reply,
    png_bytes,
    rate_limited,
    server_error,
    wav_bytes,
)
from tests.support.processes import ROOT, subprocess_env
from vividly.providers import breakers
from vividly.providers.base import ProviderFatal, ProviderRetryable, ProviderUnavailable, SlideSpec
from vividly.providers.google_tts import MAX_INPUT_BYTES, GoogleTTS
from vividly.providers.nano_banana import NanoBananaImage, SafetyBlocked

SPEC = SlideSpec(title="Forces on the court", bullets=["Net force causes acceleration."],
                 citation="Source: OpenStax Physics, 4.3 · CC BY 4.0", interest="basketball",
                 scene_index=1, scene_count=5)
NARRATION = "The ball speeds up. A net force acts on it! Is the force bigger than friction?"


def _tts(fake, **options) -> GoogleTTS:
    return GoogleTTS(endpoint=fake.url, timeout=1, **options)


def _image(fake, **options) -> NanoBananaImage:
    return NanoBananaImage(project="vividly-test", location="europe-west4", endpoint=fake.url, timeout=1, **options)


# --- Cloud Text-to-Speech -----------------------------------------------------------------------

def test_tts_sends_ssml_marks_and_aligns_every_sentence_with_its_timepoint(google):
    # given a Cloud TTS that speaks 0.8 s per sentence and reports each mark's time
    clip = _tts(google).synthesize(NARRATION)
    # then one request (v1beta1 text:synthesize, REST) carried SSML with a mark before every sentence
    sent = google.calls("tts")
    assert len(sent) == 1
    body = sent[0]["json"]
    assert sent[0]["path"] == "/v1beta1/text:synthesize"
    assert sent[0]["headers"]["authorization"].startswith("Bearer ")  # ADC (service account), no key
    assert "x-goog-api-key" not in sent[0]["headers"]
    assert body["enableTimePointing"] == ["SSML_MARK"]
    assert body["input"]["ssml"] == ('<speak><mark name="s0"/>The ball speeds up.<break time="350ms"/>'
                                     '<mark name="s1"/>A net force acts on it!<break time="350ms"/>'
                                     '<mark name="s2"/>Is the force bigger than friction?</speak>')
    assert body["voice"] == {"languageCode": "en-US", "name": "en-US-Neural2-F"}
    assert body["audioConfig"]["audioEncoding"] == "LINEAR16"
    assert body["audioConfig"]["sampleRateHertz"] == 24000
    # and the clip's sentence spans follow the timepoints, so captions stay aligned
    assert clip.sentence_spans == ((0.0, 0.8), (0.8, 1.6), (1.6, 2.4))
    assert clip.duration_seconds == pytest.approx(2.4, abs=0.001)
    with wave.open(io.BytesIO(clip.wav)) as wav:
        assert (wav.getframerate(), wav.getnframes()) == (24000, int(2.4 * 24000))
    assert (clip.usage.provider, clip.voice) == ("google_tts", "google:en-US-Neural2-F")
    assert clip.usage.characters == len("".join(["The ball speeds up.", "A net force acts on it!",
                                                 "Is the force bigger than friction?"]))


def test_tts_escapes_text_for_ssml(google):
    _tts(google).synthesize("Salt & pepper <not a tag> are mixtures.")
    assert "Salt &amp; pepper &lt;not a tag&gt; are mixtures." in google.calls("tts")[0]["json"]["input"]["ssml"]


def test_long_narration_is_split_under_the_limit_and_timepoints_are_offset(google):
    text = " ".join(f"Sentence number {i} explains one more idea about forces." for i in range(150))
    clip = _tts(google).synthesize(text)
    calls = google.calls("tts")
    assert len(calls) >= 2
    assert all(len(c["json"]["input"]["ssml"].encode()) <= MAX_INPUT_BYTES for c in calls)
    marks = [m for c in calls for m in c["json"]["input"]["ssml"].split('<mark name="')[1:]]
    assert [m.split('"')[0] for m in marks] == [f"s{i}" for i in range(150)]  # numbered across requests
    assert len(clip.sentence_spans) == 150
    starts = [start for start, _ in clip.sentence_spans]
    assert starts == sorted(starts)
    assert starts[-1] == pytest.approx(149 * 0.8, abs=0.01)  # later requests are offset by earlier audio
    assert clip.duration_seconds == pytest.approx(150 * 0.8, abs=0.01)


@pytest.mark.parametrize(("case", "reply", "error"), [
    ("server_error", server_error(503), ProviderRetryable),
    ("rate_limited", rate_limited(3), ProviderRetryable),
    ("timeout", Reply(delay=2.5, body={"audioContent": ""}), ProviderRetryable),
    ("bad_request", Reply(status=400, body={"error": {"code": 400, "message": "Invalid SSML", "status":
                                                      "INVALID_ARGUMENT"}}), ProviderFatal),
    ("not_json", Reply(body=b"<html>oops</html>", content_type="text/html"), ProviderFatal),
    ("no_audio", Reply(body={"timepoints": []}), ProviderFatal),
    ("audio_not_wav", Reply(body={"audioContent": base64.b64encode(b"not a wav").decode(),
                                  "timepoints": [{"markName": "s0", "timeSeconds": 0}]}), ProviderFatal),
    ("missing_timepoints", Reply(body={"audioContent": base64.b64encode(wav_bytes(1.0)).decode()}),
     ProviderFatal),
])
def test_tts_failures_map_to_retryable_or_fatal(google, case, reply, error):
    google.queue("tts", reply)
    with pytest.raises(error):
        _tts(google).synthesize("Hello there.")


def test_tts_breaker_opens_after_fail_max_is_seen_by_other_processes_and_spares_google(google):
    google.queue("tts", *[server_error(500)] * 5)
    tts = _tts(google)
    for _ in range(2):
        with pytest.raises(ProviderRetryable):
            tts.synthesize("Hello.")
    with pytest.raises(ProviderUnavailable):  # the third failure trips it (fail_max=3)
        tts.synthesize("Hello.")
    sent = len(google.calls("tts"))
    with pytest.raises(ProviderUnavailable):
        tts.synthesize("Hello.")
    assert len(google.calls("tts")) == sent == 3
    assert breakers.breaker("tts").current_state == "open"
    # and another process (another worker) sees the same open breaker: its state lives in Redis
    code = ("import django; django.setup(); from vividly.providers.breakers import breaker; "
            "b = breaker('tts'); print(b.current_state, b.fail_counter)")
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env(), cwd=ROOT,  # noqa: S603 - this interpreter running the test's own snippet
                         capture_output=True, text=True, timeout=120, check=True).stdout.split()
    assert out[-2:] == ["open", "3"]


def test_narration_falls_back_to_the_local_voice_while_the_tts_breaker_is_open(settings, google):
    configure_google(settings, google, llm=False, image=False)
    breakers.breaker("tts").open()
    media = synthesize_with_fallback("The ball speeds up. A net force acts on it.")
    assert (media.provider, media.fell_back) == ("piper", True)
    assert "ProviderUnavailable" in media.reason
    assert google.calls("tts") == []


def test_narration_uses_google_while_healthy(settings, google):
    configure_google(settings, google, llm=False, image=False)
    media = synthesize_with_fallback("The ball speeds up. A net force acts on it.")
    assert (media.provider, media.fell_back) == ("google_tts", False)
    assert len(media.result.sentence_spans) == 2


# --- the image model ----------------------------------------------------------------------------

def test_image_request_matches_the_rest_reference_and_the_slide_is_fitted(google):
    image = _image(google).render(SPEC)
    with Image.open(io.BytesIO(image.png)) as png:
        assert (png.format, png.size) == ("PNG", (1280, 720))
        assert png.getpixel((640, 200)) == (200, 40, 40)  # the model's picture
        assert png.getpixel((5, 715)) == (10, 14, 24)  # the footer bar holding the citation
    assert (image.usage.provider, image.usage.images) == ("nano_banana", 1)
    assert (image.usage.input_tokens, image.usage.output_tokens) == (120, 1290)  # from usageMetadata
    sent = google.calls("generate")[0]
    assert sent["path"] == ("/v1/projects/vividly-test/locations/europe-west4/publishers/google/models/"
                            "gemini-2.5-flash-image:generateContent")
    assert sent["headers"]["authorization"] == f"Bearer {FAKE_ACCESS_TOKEN}"
    config = sent["json"]["generationConfig"]
    assert config["responseModalities"] == ["IMAGE"]
    assert config["imageConfig"] == {"aspectRatio": "16:9"}
    assert {s["threshold"] for s in sent["json"]["safetySettings"]} == {"BLOCK_LOW_AND_ABOVE"}
    assert "Forces on the court" in sent["json"]["contents"][0]["parts"][0]["text"]


@pytest.mark.parametrize(("case", "reply", "error"), [
    ("prompt_blocked", {"promptFeedback": {"blockReason": "SAFETY"}}, SafetyBlocked),
    ("image_withheld", {"candidates": [{"finishReason": "IMAGE_SAFETY", "content": {"parts": []}}]}, SafetyBlocked),
    ("no_candidates", {"candidates": []}, ProviderFatal),
    ("text_only", {"candidates": [{"content": {"parts": [{"text": "no"}]}, "finishReason": "STOP"}]}, ProviderFatal),
    ("not_an_image", gemini_image_reply(b"nope"), ProviderFatal),
    ("server_error", server_error(502), ProviderRetryable),
    ("rate_limited", rate_limited(2), ProviderRetryable),
    ("malformed_json", Reply(body=b'{"candidates": [', content_type="application/json"), ProviderFatal),
])
def test_image_failures_map(google, case, reply, error):
    google.queue("generate", reply)
    with pytest.raises(error):
        _image(google).render(SPEC)


def test_safety_blocks_do_not_count_against_the_breaker(google):
    google.queue("generate", *[{"promptFeedback": {"blockReason": "SAFETY"}}] * 4)
    for _ in range(4):
        with pytest.raises(SafetyBlocked):
            _image(google).render(SPEC)
    assert breakers.breaker("nano_banana").current_state == "closed"


def test_breaker_half_opens_after_reset_timeout_and_closes_on_success(settings, google):
    settings.BREAKERS = {**settings.BREAKERS, "default": {"fail_max": 1, "reset_timeout": 1}}
    breakers.breaker.cache_clear()
    google.queue("generate", server_error(500))
    with pytest.raises(ProviderUnavailable):  # the first failure trips it (fail_max=1)
        _image(google).render(SPEC)
    assert breakers.breaker("nano_banana").current_state == "open"
    time.sleep(1.1)  # past reset_timeout: the next call is the half-open trial (a lower bound, not a race)
    assert _image(google).render(SPEC).width == 1280
    assert breakers.breaker("nano_banana").current_state == "closed"
    assert len(google.calls("generate")) == 2


def test_slides_fall_back_locally_when_the_image_breaker_opens(settings, google):
    configure_google(settings, google, llm=False, tts=False)
    google.queue("generate", *[server_error(500)] * 3)
    for _ in range(2):
        with pytest.raises(ProviderRetryable):
            render_with_fallback(SPEC)
    media = render_with_fallback(SPEC)  # the third failure opens the breaker: this scene is drawn locally
    assert (media.provider, media.fell_back) == ("local_slides", True)
    sent = len(google.calls("generate"))
    media = render_with_fallback(SPEC)
    assert (media.provider, media.fell_back) == ("local_slides", True)
    assert len(google.calls("generate")) == sent == 3


def test_image_api_key_mode(google):
    google.queue("generate", gemini_image_reply(png_bytes((1280, 720))))
    image = NanoBananaImage(api_key="AIzaSyDEVELOPERKEY0123456789abcdefghijk", endpoint=google.url).render(SPEC)
    assert image.width == 1280
    assert google.calls("generate")[0]["path"] == "/v1beta/models/gemini-2.5-flash-image:generateContent"
