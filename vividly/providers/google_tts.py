"""Google Cloud Text-to-Speech through `google-cloud-texttospeech` (v1beta1, REST transport), behind
the shared "tts" circuit breaker.

Captions stay aligned: the narration is sent as SSML with a `<mark name="sN"/>` before each sentence
(sentences as `content.media.speech.split_sentences` splits them) and a short `<break>` between
sentences, with `enable_time_pointing=[SSML_MARK]`; the returned timepoints give each sentence's
start, the next mark (or the clip's end) its end. Timepoints are a v1beta1 feature, hence that
surface. Long narration is split at sentence boundaries into requests under the 5,000-byte limit
and the clips joined, offsetting their timepoints. The regional endpoint
(`{location}-texttospeech.googleapis.com`, "eu" or "us") keeps audio synthesis in the district's
region when one is set.
"""

from __future__ import annotations

import io
import wave
from functools import cache
from xml.sax.saxutils import escape

from . import breakers, google_cloud
from .base import AudioClip, ProviderFatal, Usage
from .text import split_sentences

MAX_INPUT_BYTES = 4600  # the API rejects input over 5,000 bytes; SSML tags count too
PAUSE_MS = 350  # between sentences, as the local voices pause


def _sentences(text: str) -> list[str]:
    return split_sentences(text)  # the one sentence splitter captions use


def ssml_for(sentences: list[str], first_index: int = 0) -> str:
    """SSML with a mark before each sentence and a pause between them (text XML-escaped)."""
    parts = []
    for offset, sentence in enumerate(sentences):
        if offset:
            parts.append(f'<break time="{PAUSE_MS}ms"/>')
        parts.append(f'<mark name="s{first_index + offset}"/>{escape(sentence)}')
    return "<speak>" + "".join(parts) + "</speak>"


def chunk_sentences(sentences: list[str], limit: int = MAX_INPUT_BYTES) -> list[list[str]]:
    """Consecutive sentence groups whose SSML stays under the request limit."""
    groups: list[list[str]] = []
    for sentence in sentences:
        if groups and len(ssml_for([*groups[-1], sentence], 10_000).encode()) <= limit:
            groups[-1].append(sentence)
        else:
            if len(ssml_for([sentence], 10_000).encode()) > limit:
                raise ProviderFatal("a sentence is longer than Cloud TTS accepts in one request")
            groups.append([sentence])
    return groups


def _pcm_frames(data: bytes) -> tuple[bytes, int, int, int]:
    """(frames, channels, sample width, rate) of a WAV, or raise ProviderFatal."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            return (wav.readframes(wav.getnframes()), wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
    except (wave.Error, EOFError) as exc:
        raise ProviderFatal(f"Google TTS returned audio that is not a WAV file: {exc}") from exc


@cache
def client(endpoint: str, location: str, timeout: float):
    from google.cloud import texttospeech_v1beta1 as tts  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    host = endpoint or (f"{location}-texttospeech.googleapis.com" if location in ("eu", "us")
                        else "texttospeech.googleapis.com")
    return tts.TextToSpeechClient(transport="rest", credentials=google_cloud.credentials(),
                                  client_options={"api_endpoint": host})


class GoogleTTS:
    """SpeechProvider for Cloud Text-to-Speech; usage counts characters for the cost ledger."""

    name = "google_tts"

    def __init__(self, *, voice: str = "en-US-Neural2-F", language_code: str = "en-US", sample_rate: int = 24000,
                 speaking_rate: float = 1.0, location: str = "", endpoint: str = "", timeout: float = 20.0,
                 project: str = "") -> None:
        # `project` is accepted so every Google provider takes the same OPTIONS; TTS is not project-scoped
        self.voice = voice
        self.language_code = language_code
        self.sample_rate = sample_rate
        self.speaking_rate = speaking_rate
        self.location = location
        self.endpoint = endpoint
        self.timeout = timeout

    def _synthesize_chunk(self, sentences: list[str], first_index: int) -> tuple[bytes, dict[str, float]]:
        from google.cloud import texttospeech_v1beta1 as tts  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

        google_cloud.guard(self.name)
        request = tts.SynthesizeSpeechRequest(
            input=tts.SynthesisInput(ssml=ssml_for(sentences, first_index)),
            voice=tts.VoiceSelectionParams(language_code=self.language_code, name=self.voice),
            audio_config=tts.AudioConfig(audio_encoding=tts.AudioEncoding.LINEAR16,
                                         sample_rate_hertz=self.sample_rate, speaking_rate=self.speaking_rate),
            enable_time_pointing=[tts.SynthesizeSpeechRequest.TimepointType.SSML_MARK])
        try:
            response = client(self.endpoint, self.location, self.timeout).synthesize_speech(
                request=request, timeout=self.timeout)
        except Exception as exc:
            raise google_cloud.map_api_core_error(exc, "Google TTS") from exc
        if not response.audio_content:
            raise ProviderFatal("Google TTS returned no audio")
        return response.audio_content, {point.mark_name: point.time_seconds for point in response.timepoints}

    def synthesize(self, text: str) -> AudioClip:
        """Narrate text to a mono LINEAR16 WAV with each sentence's (start, end) in seconds."""
        sentences = _sentences(text)
        if not sentences:
            raise ProviderFatal("nothing to narrate: empty text")
        frames, spans, fmt, index, offset = [], [], None, 0, 0.0
        for group in chunk_sentences(sentences):
            audio, marks = breakers.call("tts", self._synthesize_chunk, group, index)
            pcm, channels, width, rate = _pcm_frames(audio)
            if fmt not in (None, (channels, width, rate)):
                raise ProviderFatal("Google TTS returned chunks with different audio formats")
            fmt = (channels, width, rate)
            length = len(pcm) / float(channels * width * rate)
            starts = [marks.get(f"s{index + i}") for i in range(len(group))]
            if any(start is None for start in starts):
                raise ProviderFatal("Google TTS returned no timepoint for a sentence mark")
            ends = [*starts[1:], length]
            spans += [(round(offset + s, 3), round(offset + e, 3)) for s, e in zip(starts, ends, strict=True)]
            frames.append(pcm)
            offset += length
            index += len(group)
        channels, width, rate = fmt
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(channels)
            wav.setsampwidth(width)
            wav.setframerate(rate)
            wav.writeframes(b"".join(frames))
        return AudioClip(wav=buffer.getvalue(), duration_seconds=offset, sample_rate=rate,
                         usage=Usage(provider=self.name, characters=sum(len(s) for s in sentences)),
                         sentence_spans=tuple(spans), voice=f"google:{self.voice}")
