"""The Piper neural voice (real model, real ONNX Runtime, real espeak-ng program) and its fallback."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings as django_settings

from content.media.compose import build_cues
from content.media.phonemes import EspeakPhonemizer, speakable, with_punctuation
from content.media.piper import PiperSpeech, default_model_path, session_for
from content.media.resilient import synthesize_with_fallback
from content.media.speech import split_sentences
from vividly.providers import registry
from vividly.providers.base import ProviderFatal, SpeechProvider

TEXT = ("Picture a fast break. The point guard pushes the ball up the court, and it speeds up! "
        "What causes it? A net force of 12 N on a 0.62 kg ball.")
# GPL-licensed Python modules that would put espeak-ng (or Piper's GPL runtime) inside our process
GPL_MODULES = ("piper", "piper_phonemize", "piper_onnx", "espeakng", "espeakng_runtime", "espeakng_loader",
               "phonemizer", "espeak_phonemizer", "piperg2p", "pipersynth")


def _samples(wav_bytes: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32), wav.getframerate()


@pytest.fixture
def broken_voice(tmp_path) -> Path:
    """A Piper voice whose model file is not an ONNX model (its config is the real one)."""
    model = tmp_path / "en_US-broken-medium.onnx"
    model.write_bytes(b"this is not an onnx model")
    shutil.copy(default_model_path() + ".json", tmp_path / "en_US-broken-medium.onnx.json")
    return model


@pytest.fixture
def voice_settings(settings):
    """Let a test swap the narration providers; the registry forgets its instances around it."""
    registry.reset()
    yield settings
    registry.reset()


def test_piper_speaks_each_sentence_with_pauses_and_timings():
    speech = PiperSpeech()
    assert isinstance(speech, SpeechProvider)
    clip = speech.synthesize(TEXT)
    samples, rate = _samples(clip.wav)
    assert rate == clip.sample_rate == 22050
    assert clip.duration_seconds == pytest.approx(len(samples) / rate)
    assert (clip.usage.provider, clip.voice) == ("piper", "piper:en_US-joe-medium")
    # a natural pace: 2–4 words a second, counting the pauses (units are spoken as words)
    spoken_words = len(speakable(TEXT).split())
    assert 2.0 <= spoken_words / clip.duration_seconds <= 4.0
    # one (start, end) per sentence, in order, inside the clip, with a pause between sentences
    spans = clip.sentence_spans
    assert len(spans) == len(split_sentences(TEXT)) == 4
    assert spans[0][0] == 0.0
    assert spans[-1][1] <= clip.duration_seconds
    for (start, end), (next_start, _) in itertools.pairwise(spans):
        assert start < end
        assert next_start - end == pytest.approx(0.45, abs=0.01)
        gap = samples[int(end * rate) + 200:int(next_start * rate) - 200]
        assert np.abs(gap).max() == 0  # real silence between sentences
    # each sentence is voiced (not silence), and a longer sentence takes longer to say
    for start, end in spans:
        assert np.sqrt(np.mean(samples[int(start * rate):int(end * rate)] ** 2)) > 300
    durations = [end - start for start, end in spans]
    assert durations[3] > durations[0]


def test_one_session_per_process_with_bounded_threads():
    first = session_for(default_model_path(), 1)
    assert session_for(default_model_path(), 1) is first
    assert first.get_session_options().intra_op_num_threads == 1
    assert first.get_session_options().inter_op_num_threads == 1


def test_phonemes_come_from_the_espeak_program_with_piper_punctuation():
    phonemes = EspeakPhonemizer().phonemize(["Force, mass and speed are linked: push harder.", "Is it fast?"])
    assert len(phonemes) == 2
    assert re.fullmatch(r"[^,:]+, [^,:]+: [^,:]+\.", phonemes[0]), phonemes[0]
    assert phonemes[1].endswith("?")
    assert "ˈ" in phonemes[1]
    assert with_punctuation("One, two; three.", ["wˈʌn", "tˈuː", "θɹˈiː"]) == "wˈʌn, tˈuː; θɹˈiː."
    # espeak-ng split where the text has no mark: a comma-length pause, never a lost clause
    assert with_punctuation("One two three!", ["wˈʌn", "tˈuː θɹˈiː"]) == "wˈʌn, tˈuː θɹˈiː!"


def test_speakable_reads_units_and_symbols_as_a_teacher_would():
    assert speakable("A 0.62 kg ball and a 12 N push give 19.4 m/s² — fast") == (
        "A 0.62 kilograms ball and a 12 newtons push give 19.4 meters per second squared, fast")
    assert speakable("F_net = m × a in the 1990s, 60–120 s") == "F net equals m times a in the 1990s, 60 to 120 seconds"


def test_no_gpl_code_runs_inside_our_process():
    PiperSpeech().synthesize("The ball speeds up.")
    loaded = [name for name in sys.modules if name.split(".")[0] in GPL_MODULES]
    assert loaded == []
    maps = Path("/proc/self/maps").read_text()
    assert "espeak" not in maps
    assert "piper_phonemize" not in maps


def test_a_broken_model_falls_back_to_espeak_and_says_so(voice_settings, broken_voice):
    voice_settings.VIVIDLY_PROVIDERS = {
        **django_settings.VIVIDLY_PROVIDERS,
        "tts": {**django_settings.VIVIDLY_PROVIDERS["tts_local"], "OPTIONS": {"model_path": str(broken_voice)}},
    }
    with pytest.raises(ProviderFatal, match="Piper model failed to load"):
        registry.get("tts").synthesize("The ball speeds up.")
    media = synthesize_with_fallback("The ball speeds up. A net force acts on it.")
    assert (media.provider, media.fell_back) == ("espeak", True)
    assert media.result.voice == "espeak-ng:en-us"
    assert "Piper model failed to load" in media.reason
    assert media.result.duration_seconds > 1.0


def test_captions_follow_the_voice_timings():
    text = "First sentence here. Second one is a little longer than that. Third."
    spans = [(0.0, 1.2), (1.65, 4.0), (4.45, 5.1)]
    cues = build_cues([text], [5.4], pauses=[[]], spans=[spans])
    assert [c.text for c in cues] == split_sentences(text)
    assert [c.start for c in cues] == [0.0, 1.65, 4.45]
    assert cues[-1].end == 5.4
    # timings that do not fit the text (another sentence count) fall back to the pause alignment
    assert len(build_cues([text], [5.4], pauses=[[]], spans=[spans[:2]])) == 3

