"""Local narration with Debian espeak-ng: the recorded fallback when the Piper voice cannot speak.

Text is split into sentences and sent as SSML with a short break between them, at a natural
~165–170 words per minute as measured (espeak-ng -s 155 plus the pauses). The clip's duration is
read from the WAV header, not estimated.
"""

from __future__ import annotations

import contextvars
import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path
from xml.sax.saxutils import escape

from vividly.providers.base import AudioClip, ProviderFatal, ProviderRetryable, Usage
from vividly.providers.text import SENTENCE_END, split_sentences  # noqa: F401 - captions and voices share one splitter

#: Among narrations running at once, lower goes first (the narrating stage sets the scene number, so
#: every lesson's first scene is voiced first). Read by providers that queue work (Piper).
NARRATION_ORDER: contextvars.ContextVar[int] = contextvars.ContextVar("narration_order", default=1_000_000)



def wav_info(data: bytes) -> tuple[float, int]:
    """(duration in seconds, sample rate) read from a WAV header."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate = wav.getframerate()
            return wav.getnframes() / float(rate), rate
    except (wave.Error, EOFError, ZeroDivisionError) as exc:
        raise ProviderFatal(f"not a valid WAV file: {exc}") from exc


class EspeakSpeech:
    """SpeechProvider running espeak-ng locally; costs nothing."""

    name = "espeak"

    def __init__(self, *, voice: str = "en-us", words_per_minute: int = 155, pitch: int = 48,
                 sentence_pause_ms: int = 400, binary: str = "espeak-ng", timeout: float = 60.0) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.pitch = pitch
        self.sentence_pause_ms = sentence_pause_ms
        self.binary = binary
        self.timeout = timeout

    def ssml(self, text: str) -> str:
        """The SSML sent to espeak-ng: sentences separated by short breaks."""
        pause = f'<break time="{self.sentence_pause_ms}ms"/>'
        body = f" {pause} ".join(escape(s) for s in split_sentences(text))
        return f"<speak>{body}</speak>"

    def synthesize(self, text: str) -> AudioClip:
        """Narrate text to a mono 22.05 kHz WAV."""
        if not split_sentences(text):
            raise ProviderFatal("nothing to narrate: empty text")
        exe = shutil.which(self.binary)
        if not exe:
            raise ProviderFatal(f"{self.binary} is not installed (apt-get install espeak-ng)")
        with tempfile.TemporaryDirectory(prefix="vividly-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            try:
                result = subprocess.run(  # noqa: S603 - espeak-ng from shutil.which; the text goes in on stdin, escaped SSML, no shell
                    [exe, "-v", self.voice, "-s", str(self.words_per_minute), "-p", str(self.pitch),
                     "-m", "-w", str(out), "--stdin"],
                    input=self.ssml(text).encode(), capture_output=True, timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise ProviderRetryable(f"espeak-ng timed out after {self.timeout}s") from exc
            if result.returncode != 0 or not out.exists():
                raise ProviderFatal(f"espeak-ng failed ({result.returncode}): "
                                    f"{result.stderr.decode(errors='replace')[:300]}")
            data = out.read_bytes()
        duration, rate = wav_info(data)
        return AudioClip(wav=data, duration_seconds=duration, sample_rate=rate,
                         usage=Usage(provider=self.name, characters=len(text)), voice=f"espeak-ng:{self.voice}")
