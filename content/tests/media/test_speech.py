"""espeak-ng narration (real binary)."""

from __future__ import annotations

import io
import wave

import pytest

from content.media.speech import EspeakSpeech, split_sentences, wav_info
from vividly.providers.base import ProviderFatal, SpeechProvider

TEXT = ("Picture a fast break. The point guard pushes the ball up the court, and it speeds up. "
        "That change in speed is acceleration! What causes it? A net force, like a push of 20 N & more.")


def test_espeak_produces_a_wav_with_its_real_duration():
    speech = EspeakSpeech()
    assert isinstance(speech, SpeechProvider)
    clip = speech.synthesize(TEXT)
    with wave.open(io.BytesIO(clip.wav)) as wav:
        assert wav.getnchannels() == 1
        assert clip.sample_rate == wav.getframerate() == 22050
        assert clip.duration_seconds == pytest.approx(wav.getnframes() / wav.getframerate())
    assert (clip.usage.provider, clip.usage.characters) == ("espeak", len(TEXT))


def test_rate_is_natural_and_sentences_are_paused():
    words = len(TEXT.split())
    paused = EspeakSpeech().synthesize(TEXT)
    wpm = words / paused.duration_seconds * 60
    assert 120 <= wpm <= 185
    unpaused = EspeakSpeech(sentence_pause_ms=0).synthesize(TEXT)
    assert paused.duration_seconds - unpaused.duration_seconds >= 4 * 0.1  # 4 sentence breaks


def test_ssml_escapes_markup_in_narration():
    ssml = EspeakSpeech().ssml("Use <speak> & 'quotes'. Next.")
    assert "&lt;speak&gt; &amp;" in ssml
    assert ssml.count("<break") == 1


def test_empty_text_is_refused():
    with pytest.raises(ProviderFatal):
        EspeakSpeech().synthesize("   ")


def test_missing_binary_is_a_clear_error():
    with pytest.raises(ProviderFatal, match="not installed"):
        EspeakSpeech(binary="no-such-espeak").synthesize("Hello.")


def test_split_sentences_keeps_abbreviations_and_decimals():
    assert split_sentences("It moves at 9.8 m/s. See e.g. the ball! Why? Because.") == [
        "It moves at 9.8 m/s.", "See e.g. the ball!", "Why?", "Because."]


def test_wav_info_rejects_non_wav():
    with pytest.raises(ProviderFatal):
        wav_info(b"RIFF nonsense")
