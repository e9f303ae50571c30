"""Compose scene slides + narration into a captioned MP4 (H.264/AAC, 720p, +faststart).

One ffmpeg run: the slides come through the concat demuxer (one still per scene, shown for exactly
that scene's narration), the narration is concatenated once in Python, and the output is cut with
`-t <narration length>` after a `tpad` (never `-shortest`, which cuts audio early). Captions are
WebVTT cues per sentence/phrase: at the voice's own sentence timings when the speech provider
reported them, otherwise aligned to the narration's pauses within each scene's real audio duration.
Nothing partial is left behind on failure: outputs are written to temporary names and renamed.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
import wave
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from .speech import split_sentences

WIDTH, HEIGHT = 1280, 720
CUE_MAX_CHARS = 84  # two caption lines of 42 characters
CUE_LINE_CHARS = 42
FFMPEG_TIMEOUT = 300


class ComposeError(Exception):
    """Composition failed; `reason` is 'bad_input', 'no_space', 'ffmpeg', 'timeout' or 'io'.

    'timeout' and 'no_space' may succeed on a retry (another worker, freed disk); 'bad_input' and
    'ffmpeg' will not without different inputs.
    """

    def __init__(self, message: str, *, reason: str = "ffmpeg") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Segment:
    """One scene: its still, its narration and the narrated text; `spans` are the voice's own
    (start, end) per sentence when the speech provider reported them (captions then follow them)."""

    image: Path
    audio: Path
    text: str
    spans: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class ComposedVideo:
    video_path: Path
    captions_path: Path
    poster_path: Path
    duration_seconds: float  # narration length = video length
    segment_durations: list[float]
    segment_offsets: list[float]
    cues: list[Cue]
    size_bytes: int
    timings: dict[str, float] = field(default_factory=dict)


def ffmpeg_exe() -> str:
    """The ffmpeg binary shipped by imageio-ffmpeg (falls back to the system one)."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        exe = shutil.which("ffmpeg")
        if not exe:
            raise ComposeError("no ffmpeg binary found", reason="ffmpeg") from None
        return exe


# --- captions ---------------------------------------------------------------------------------

def split_phrases(sentence: str, max_chars: int = CUE_MAX_CHARS) -> list[str]:
    """Split a long sentence at punctuation, then by words, into pieces of at most max_chars."""
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    for clause in re.split(r"(?<=[,;:—])\s+", sentence):
        if pieces and len(pieces[-1]) + 1 + len(clause) <= max_chars:
            pieces[-1] = f"{pieces[-1]} {clause}"
        else:
            pieces.extend(textwrap.wrap(clause, max_chars, break_long_words=True) or [clause])
    return pieces


def find_pauses(frames: bytes, *, channels: int, sample_width: int, rate: int,
                min_pause: float = 0.2) -> list[tuple[float, float]]:
    """Silent stretches (start, end) in 16-bit PCM, excluding leading and trailing silence."""
    if sample_width != 2 or not frames or rate <= 0:
        return []
    samples = array("h")
    samples.frombytes(frames[: len(frames) - len(frames) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = samples[::channels]
    window = max(1, rate // 100)  # 10 ms
    peaks = []
    for i in range(0, len(samples), window):
        chunk = samples[i:i + window]
        peaks.append(max(abs(min(chunk)), abs(max(chunk))))
    if not peaks:
        return []
    threshold = max(64, int(max(peaks) * 0.02))
    pauses, start = [], None
    for index, peak in enumerate(peaks):
        if peak < threshold:
            if start is None:
                start = index
            continue
        # a run of quiet windows ended; leading silence (start == 0) is not a pause
        if start is not None and start > 0 and (index - start) * window / rate >= min_pause:
            pauses.append((start * window / rate, index * window / rate))
        start = None
    return pauses


def _sentence_spans(sentences: list[str], duration: float,
                    pauses: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """(start, end) per sentence: proportional estimates aligned to the narration's real pauses.

    An in-order alignment (dynamic programming) matches each sentence boundary to at most one
    pause, minimising the total shift; a boundary left unmatched costs `miss` and keeps its estimate.
    """
    weights = [len(s) + 3 for s in sentences]
    total = float(sum(weights))
    estimates = [duration * sum(weights[: i + 1]) / total for i in range(len(sentences) - 1)]
    mids = [(a + b) / 2 for a, b in pauses]
    miss = max(0.8, duration / (2 * len(sentences)))
    n, m = len(estimates), len(mids)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    step: list[list[str]] = [[""] * (m + 1) for _ in range(n + 1)]
    cost[0] = [0.0] * (m + 1)
    for i in range(1, n + 1):
        for j in range(m + 1):
            options = [(cost[i - 1][j] + miss, "miss")]
            if j:
                options.append((cost[i][j - 1], "skip"))
                shift = abs(mids[j - 1] - estimates[i - 1])
                if shift <= miss:
                    options.append((cost[i - 1][j - 1] + shift, "match"))
            cost[i][j], step[i][j] = min(options)
    boundaries = list(estimates)
    i, j = n, m
    while i > 0:
        move = step[i][j]
        if move == "match":
            boundaries[i - 1] = mids[j - 1]
            i, j = i - 1, j - 1
        elif move == "skip":
            j -= 1
        else:
            i -= 1
    edges, previous = [0.0], 0.0
    for boundary in boundaries:  # keep every sentence a positive length, inside the segment
        previous = min(max(boundary, previous + 0.05), duration)
        edges.append(previous)
    edges.append(duration)
    return list(itertools.pairwise(edges))


def _known_spans(spans: Sequence[tuple[float, float]], count: int, duration: float) -> list[tuple[float, float]]:
    """The provider's sentence timings as contiguous caption spans (each pause goes to the sentence
    before it); [] when they do not fit this text."""
    if len(spans) != count or count == 0:
        return []
    starts = [0.0, *(min(max(float(s[0]), 0.0), duration) for s in spans[1:])]
    if any(b <= a for a, b in itertools.pairwise([*starts, duration])):
        return []
    return list(itertools.pairwise([*starts, duration]))


def build_cues(texts: Sequence[str], durations: Sequence[float],
               pauses: Sequence[Sequence[tuple[float, float]]] | None = None,
               spans: Sequence[Sequence[tuple[float, float]]] | None = None) -> list[Cue]:
    """Cues per sentence/phrase within each segment's real duration.

    Sentence boundaries come from the voice's own timings when `spans` (per segment, per sentence)
    fit the text, else snap to the narration's real pauses when `pauses` (per segment, from
    `find_pauses`) are given; phrases inside a sentence are timed by their share of characters.
    Cues are ordered, contiguous and non-overlapping, and together cover the whole narration.
    """
    cues: list[Cue] = []
    offset = 0.0
    for index, (text, duration) in enumerate(zip(texts, durations, strict=True)):
        sentences = split_sentences(text)
        if sentences and duration > 0:
            known = _known_spans(spans[index], len(sentences), duration) if spans else []
            spans_here = known or _sentence_spans(sentences, duration, pauses[index] if pauses else [])
            for sentence, (span_start, span_end) in zip(sentences, spans_here, strict=True):
                phrases = split_phrases(sentence)
                weights = [len(p) + 3 for p in phrases]
                total = float(sum(weights))
                start, acc = offset + span_start, 0.0
                for phrase, weight in zip(phrases, weights, strict=True):
                    acc += weight
                    end = offset + span_start + (span_end - span_start) * acc / total
                    cues.append(Cue(round(start, 3), round(end, 3), phrase))
                    start = end
            cues[-1] = Cue(cues[-1].start, round(offset + duration, 3), cues[-1].text)
        offset += duration
    return cues


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def to_webvtt(cues: Iterable[Cue]) -> str:
    """Render cues as a WebVTT document (two lines of at most 42 characters per cue)."""
    blocks = ["WEBVTT", ""]
    for index, cue in enumerate(cues, start=1):
        text = "\n".join(textwrap.wrap(cue.text, CUE_LINE_CHARS)) or cue.text
        text = text.replace("-->", "→")  # a literal arrow would end the cue timing line
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks += [str(index), f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}", text, ""]
    return "\n".join(blocks)


# --- audio ------------------------------------------------------------------------------------

def _read_wav(path: Path) -> tuple[tuple[int, int, int], bytes, float]:
    try:
        with wave.open(str(path), "rb") as wav:
            params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
            frames = wav.readframes(wav.getnframes())
            return params, frames, wav.getnframes() / float(wav.getframerate())
    except (OSError, wave.Error, EOFError, ZeroDivisionError) as exc:
        raise ComposeError(f"unreadable narration {path}: {exc}", reason="bad_input") from exc


def _normalize_wav(exe: str, path: Path, out: Path) -> Path:
    """Convert a WAV with different parameters to 24 kHz mono 16-bit."""
    _run([exe, "-nostdin", "-v", "error", "-y", "-i", str(path), "-ac", "1", "-ar", "24000",
          "-sample_fmt", "s16", str(out)])
    return out


def concat_wavs(paths: Sequence[Path], out: Path, *, exe: str) -> tuple[list[float], list[list]]:
    """Concatenate narration WAVs into one file; returns each input's duration and pauses."""
    loaded = [_read_wav(p) for p in paths]
    if len({params for params, _, _ in loaded}) > 1:
        normalized = [_normalize_wav(exe, p, out.with_name(f"norm{i}.wav")) for i, p in enumerate(paths)]
        loaded = [_read_wav(p) for p in normalized]
    params = loaded[0][0]
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(params[0])
        wav.setsampwidth(params[1])
        wav.setframerate(params[2])
        for _, frames, _ in loaded:
            wav.writeframes(frames)
    pauses = [find_pauses(frames, channels=params[0], sample_width=params[1], rate=params[2])
              for _, frames, _ in loaded]
    return [duration for _, _, duration in loaded], pauses


# --- ffmpeg -----------------------------------------------------------------------------------

def _run(cmd: list[str]) -> None:
    try:
        result = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False)  # noqa: S603 - ffmpeg resolved by ffmpeg_exe(); arguments are our paths and numbers, no shell
    except subprocess.TimeoutExpired as exc:
        raise ComposeError(f"ffmpeg timed out after {FFMPEG_TIMEOUT}s", reason="timeout") from exc
    except OSError as exc:
        raise ComposeError(f"could not run ffmpeg: {exc}", reason="ffmpeg") from exc
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace")
        reason = "no_space" if "No space left on device" in stderr else "ffmpeg"
        raise ComposeError(f"ffmpeg failed ({result.returncode}): {stderr[-800:]}", reason=reason)


def _concat_line(path: Path) -> str:
    return "file '" + str(path.resolve()).replace("'", "'\\''") + "'"


def compose_video(segments: Sequence[Segment | tuple[str | Path, str | Path, str]],
                  out_dir: str | Path, *, basename: str = "lesson", fps: int = 5,
                  crf: int = 26) -> ComposedVideo:
    """Build `<basename>.mp4`, `.vtt` and `.jpg` (poster) in out_dir from (png, wav, text) segments."""
    started = time.perf_counter()
    segs = [s if isinstance(s, Segment) else Segment(Path(s[0]), Path(s[1]), s[2]) for s in segments]
    if not segs:
        raise ComposeError("no segments to compose", reason="bad_input")
    for seg in segs:
        for path in (seg.image, seg.audio):
            if not Path(path).is_file():
                raise ComposeError(f"missing input file: {path}", reason="bad_input")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    exe = ffmpeg_exe()
    token = uuid.uuid4().hex[:8]
    finals = {ext: out / f"{basename}.{ext}" for ext in ("mp4", "vtt", "jpg")}
    temps = {ext: out / f".{basename}.{token}.tmp.{ext}" for ext in finals}
    timings: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="vividly-compose-", dir=out) as work_dir:
            work = Path(work_dir)
            durations, pauses = concat_wavs([Path(s.audio) for s in segs], work / "narration.wav", exe=exe)
            if min(durations) <= 0:
                raise ComposeError("a narration segment is empty", reason="bad_input")
            total = sum(durations)
            lines = ["ffconcat version 1.0"]
            for seg, duration in zip(segs, durations, strict=True):
                lines += [_concat_line(Path(seg.image)), f"duration {duration:.3f}"]
            lines.append(_concat_line(Path(segs[-1].image)))  # the demuxer needs the last still twice
            (work / "slides.txt").write_text("\n".join(lines) + "\n")
            timings["prepare"] = time.perf_counter() - started

            vf = (f"scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,"
                  f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps},format=yuv420p,"
                  "tpad=stop_mode=clone:stop_duration=2")
            encode_started = time.perf_counter()
            _run([exe, "-nostdin", "-v", "error", "-y",
                  "-f", "concat", "-safe", "0", "-i", str(work / "slides.txt"),
                  "-i", str(work / "narration.wav"),
                  "-map", "0:v:0", "-map", "1:a:0", "-vf", vf,
                  "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", str(crf),
                  "-g", str(fps * 10), "-pix_fmt", "yuv420p", "-r", str(fps),  # a keyframe every 10 s
                  "-c:a", "aac", "-b:a", "64k", "-ac", "1",  # speech: mono at the narration rate
                  "-t", f"{total:.3f}", "-movflags", "+faststart", "-f", "mp4", str(temps["mp4"])])
            timings["encode"] = time.perf_counter() - encode_started

        cues = build_cues([s.text for s in segs], durations, pauses, [s.spans for s in segs])
        temps["vtt"].write_text(to_webvtt(cues), encoding="utf-8")
        with Image.open(segs[0].image) as first:
            first.convert("RGB").resize((WIDTH, HEIGHT)).save(temps["jpg"], format="JPEG", quality=85)
        for ext, final in finals.items():
            os.replace(temps[ext], final)
    except ComposeError:
        _remove(temps.values())
        raise
    except OSError as exc:
        _remove(temps.values())
        reason = "no_space" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "io"
        raise ComposeError(f"could not write outputs: {exc}", reason=reason) from exc
    except Exception:
        _remove(temps.values())
        raise
    timings["total"] = time.perf_counter() - started
    offsets = [sum(durations[:i]) for i in range(len(durations))]
    return ComposedVideo(video_path=finals["mp4"], captions_path=finals["vtt"], poster_path=finals["jpg"],
                         duration_seconds=round(total, 3), segment_durations=durations,
                         segment_offsets=offsets, cues=cues, size_bytes=finals["mp4"].stat().st_size,
                         timings=timings)


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
