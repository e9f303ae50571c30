"""Google Cloud Text-to-Speech (`v1/text:synthesize`, LINEAR16) over REST through vividly.http,
behind the shared "tts" circuit breaker. Tests point the base URL at a local fake server.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import wave

from django.conf import settings

from vividly import http

from . import breakers
from .base import AudioClip, ProviderFatal, Usage

MAX_INPUT_BYTES = 4800  # the API rejects requests over 5000 bytes of input


def google_auth_headers(*, api_key: str = "", access_token: str = "") -> dict[str, str]:
    """An API key header, a given bearer token, or a token from Application Default Credentials."""
    if api_key:
        return {"x-goog-api-key": api_key}
    if not access_token:
        try:  # production: Workload Identity / ADC
            import google.auth
            import google.auth.exceptions
            import google.auth.transport.requests
        except ImportError as exc:
            raise ProviderFatal("no Google API key or credentials configured") from exc
        try:
            credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
            credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.GoogleAuthError as exc:
            raise ProviderFatal(f"Google credentials unavailable: {exc}") from exc
        access_token = credentials.token
    return {"Authorization": f"Bearer {access_token}"}


def chunk_text(text: str, limit: int = MAX_INPUT_BYTES) -> list[str]:
    """Split long narration at sentence boundaries into requests under the API's size limit."""
    chunks: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join((text or "").split())):
        if not sentence:
            continue
        if chunks and len(f"{chunks[-1]} {sentence}".encode()) <= limit:
            chunks[-1] = f"{chunks[-1]} {sentence}"
        else:
            chunks.append(sentence)
    return chunks


def _pcm_frames(data: bytes) -> tuple[bytes, int, int, int]:
    """(frames, channels, sample width, rate) of a WAV, or raise ProviderFatal."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            return (wav.readframes(wav.getnframes()), wav.getnchannels(), wav.getsampwidth(),
                    wav.getframerate())
    except (wave.Error, EOFError) as exc:
        raise ProviderFatal(f"Google TTS returned audio that is not a WAV file: {exc}") from exc


class GoogleTTS:
    """SpeechProvider for Cloud Text-to-Speech; usage counts characters for the cost ledger."""

    name = "google_tts"

    def __init__(self, *, base_url: str = "", api_key: str = "", access_token: str = "", voice: str = "",
                 language_code: str = "", sample_rate: int = 0, speaking_rate: float = 0.0,
                 timeout: float = 0.0) -> None:
        conf = getattr(settings, "GOOGLE_TTS", {})
        self.base_url = (base_url or conf.get("BASE_URL") or "https://texttospeech.googleapis.com").rstrip("/")
        self.api_key = api_key or conf.get("API_KEY", "")
        self.access_token = access_token
        self.voice = voice or conf.get("VOICE", "en-US-Neural2-F")
        self.language_code = language_code or conf.get("LANGUAGE_CODE", "en-US")
        self.sample_rate = sample_rate or conf.get("SAMPLE_RATE", 24000)
        self.speaking_rate = speaking_rate or conf.get("SPEAKING_RATE", 1.0)
        self.timeout = timeout or conf.get("TIMEOUT", 20.0)

    def _synthesize_chunk(self, text: str) -> bytes:
        payload = {"input": {"text": text},
                   "voice": {"languageCode": self.language_code, "name": self.voice},
                   "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": self.sample_rate,
                                   "speakingRate": self.speaking_rate}}
        response = http.request("POST", f"{self.base_url}/v1/text:synthesize", json=payload,
                                headers=google_auth_headers(api_key=self.api_key,
                                                            access_token=self.access_token),
                                timeout=self.timeout)
        try:
            audio = base64.b64decode(response.json()["audioContent"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise ProviderFatal(f"malformed Google TTS response: {exc}") from exc
        if not audio:
            raise ProviderFatal("Google TTS returned no audio")
        return audio

    def synthesize(self, text: str) -> AudioClip:
        """Narrate text to a mono LINEAR16 WAV (long text is split and joined)."""
        chunks = chunk_text(text)
        if not chunks:
            raise ProviderFatal("nothing to narrate: empty text")
        parts = [_pcm_frames(breakers.call("tts", self._synthesize_chunk, chunk)) for chunk in chunks]
        _, channels, width, rate = parts[0]
        if any(p[1:] != (channels, width, rate) for p in parts):
            raise ProviderFatal("Google TTS returned chunks with different audio formats")
        frames = b"".join(p[0] for p in parts)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(channels)
            wav.setsampwidth(width)
            wav.setframerate(rate)
            wav.writeframes(frames)
        duration = len(frames) / float(channels * width * rate)
        return AudioClip(wav=buffer.getvalue(), duration_seconds=duration, sample_rate=rate,
                         usage=Usage(provider=self.name, characters=sum(len(c) for c in chunks)),
                         voice=f"google:{self.voice}")
