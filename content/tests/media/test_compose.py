"""compose_video with real slides, real espeak-ng narration and the real ffmpeg; checked with ffprobe."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import wave
from array import array
from pathlib import Path

import pytest
from PIL import Image

from content.media.compose import (
    ComposeError,
    Cue,
    build_cues,
    compose_video,
    find_pauses,
    split_phrases,
    to_webvtt,
)
from content.media.slides import LocalSlideRenderer
from content.media.speech import EspeakSpeech
from vividly.providers.base import SlideSpec

NARRATION = [
    "Picture a fast break. The point guard pushes the ball up the court, and it speeds up.",
    "That change in speed is acceleration, and a net force causes it. Newton's second law says the "
    "acceleration equals the net force divided by the mass, so the same push moves a light ball much "
    "faster than a heavy medicine ball, which is why passing drills feel so different.",
    "So a harder push means a faster ball. Remember: F equals m times a.",
]


def make_segments(directory: Path, texts=NARRATION) -> list[tuple[Path, Path, str]]:
    renderer, speech = LocalSlideRenderer(), EspeakSpeech()
    segments = []
    for i, text in enumerate(texts):
        png, wav = directory / f"scene{i}.png", directory / f"scene{i}.wav"
        png.write_bytes(renderer.render(SlideSpec(title=f"Scene {i + 1}", bullets=[text[:60]],
                                                  interest="basketball", scene_index=i,
                                                  scene_count=len(texts))).png)
        wav.write_bytes(speech.synthesize(text).wav)
        segments.append((png, wav, text))
    return segments


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def parse_vtt(text: str) -> list[Cue]:
    assert text.startswith("WEBVTT\n")
    def seconds(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.splitlines()
        start, end = re.fullmatch(r"(\S+) --> (\S+)", lines[1]).groups()
        cues.append(Cue(seconds(start), seconds(end), " ".join(lines[2:])))
    return cues


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],  # noqa: S603, S607 - ffprobe from PATH on a file the test wrote
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def composed(tmp_path_factory):
    work = tmp_path_factory.mktemp("compose")
    segments = make_segments(work)
    video = compose_video(segments, work / "out", basename="lesson")
    return segments, video


def test_video_is_h264_aac_720p_faststart_and_as_long_as_the_narration(composed):
    segments, video = composed
    narration = sum(wav_seconds(wav) for _, wav, _ in segments)
    probe = ffprobe(video.video_path)
    streams = {s["codec_type"]: s for s in probe["streams"]}
    assert streams["video"]["codec_name"] == "h264"
    assert (streams["video"]["width"], streams["video"]["height"]) == (1280, 720)
    assert streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["audio"]["codec_name"] == "aac"
    assert float(probe["format"]["duration"]) == pytest.approx(narration, rel=0.10)
    assert float(streams["audio"]["duration"]) == pytest.approx(narration, rel=0.02)  # no audio cut off
    assert float(streams["video"]["duration"]) == pytest.approx(narration, rel=0.05)
    assert video.duration_seconds == pytest.approx(narration, abs=0.01)
    head = video.video_path.read_bytes()[:4096]
    assert b"moov" in head  # +faststart: the index comes before the media data
    assert b"mdat" not in head or head.index(b"moov") < head.index(b"mdat")


def test_captions_are_ordered_contiguous_and_cover_the_narration(composed):
    segments, video = composed
    narration = sum(wav_seconds(wav) for _, wav, _ in segments)
    cues = parse_vtt(video.captions_path.read_text())
    assert len(cues) == len(video.cues) >= 6
    assert cues[0].start == 0
    assert cues[-1].end == pytest.approx(narration, abs=0.002)
    for cue, following in itertools.pairwise(cues):
        assert cue.start < cue.end <= following.start + 1e-6
        assert following.start - cue.end < 0.002  # no gaps
    spoken = " ".join(text for _, _, text in segments).split()
    assert " ".join(c.text for c in cues).split() == spoken
    assert all(len(c.text) <= 84 for c in cues)


def test_cues_stay_within_their_scene(composed):
    _, video = composed
    offsets = [*video.segment_offsets, video.duration_seconds]
    first_scene_cues = [c for c in video.cues if c.start < offsets[1] - 0.002]  # cue times are in ms
    assert " ".join(c.text for c in first_scene_cues) == NARRATION[0]
    assert first_scene_cues[-1].end == pytest.approx(offsets[1], abs=0.002)


def test_sentence_boundaries_fall_in_the_narrations_real_pauses(composed):
    # given the composed lesson, whose narration has 7 sentences over 3 scenes
    segments, video = composed
    boundaries = [(c.end, c.text) for c in video.cues[:-1] if c.text.rstrip().endswith((".", "!", "?"))]
    assert len(boundaries) >= 4
    for end, text in boundaries:
        # then at every sentence boundary the narration is silent (±30 ms)
        scene = max(i for i, offset in enumerate(video.segment_offsets) if offset <= end + 0.002)
        local = end - video.segment_offsets[scene]
        if local < 0.002:  # a scene boundary (cue times are rounded to ms): nothing to check
            continue
        with wave.open(str(segments[scene][1])) as wav:
            rate = wav.getframerate()
            wav.setpos(max(0, int((local - 0.03) * rate)))
            window = array("h", wav.readframes(int(0.06 * rate)))
        assert max(abs(v) for v in window) < 1000, (text, end)


def test_find_pauses_ignores_leading_and_trailing_silence():
    rate = 1000
    loud, quiet = array("h", [8000, -8000] * 150), array("h", [0] * 300)
    frames = (quiet + loud + quiet + loud + quiet).tobytes()
    assert find_pauses(frames, channels=1, sample_width=2, rate=rate) == [(0.6, 0.9)]


def test_build_cues_snaps_sentence_boundaries_to_pauses():
    cues = build_cues(["One two three. Four five six seven eight nine."], [5.0], [[(0.5, 0.9), (3.0, 3.1)]])
    assert [c.text for c in cues] == ["One two three.", "Four five six seven eight nine."]
    assert cues[0].end == 0.7
    proportional = build_cues(["One two three. Four five six seven eight nine."], [5.0])
    assert proportional[0].end != 0.7


def test_poster_is_the_first_slide(composed):
    _, video = composed
    with Image.open(video.poster_path) as poster:
        assert (poster.format, poster.size) == ("JPEG", (1280, 720))
    assert video.size_bytes == video.video_path.stat().st_size > 10_000
    assert {p.name for p in video.video_path.parent.iterdir()} == {"lesson.mp4", "lesson.vtt", "lesson.jpg"}


def test_mixed_sample_rates_are_normalized(tmp_path):
    segments = make_segments(tmp_path, texts=["First scene here.", "Second scene here."])
    with wave.open(str(segments[1][1])) as source:
        frames = source.readframes(source.getnframes())
    with wave.open(str(segments[1][1]), "wb") as resampled:  # the same samples declared at 24 kHz
        resampled.setnchannels(1)
        resampled.setsampwidth(2)
        resampled.setframerate(24000)
        resampled.writeframes(frames)
    video = compose_video(segments, tmp_path / "out")
    expected = wav_seconds(segments[0][1]) + wav_seconds(segments[1][1])
    assert float(ffprobe(video.video_path)["format"]["duration"]) == pytest.approx(expected, rel=0.10)


def test_compose_error_on_an_image_ffmpeg_cannot_read_and_no_partial_files(tmp_path):
    segments = make_segments(tmp_path, texts=["Just one scene."])
    segments[0][0].write_bytes(b"this is not a png")
    out = tmp_path / "out"
    with pytest.raises(ComposeError) as info:
        compose_video(segments, out)
    assert info.value.reason == "ffmpeg"
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(("bad_case", "mutate"), [
    ("no_segments", lambda segs: []),
    ("missing_image", lambda segs: [(Path("/nonexistent.png"), segs[0][1], segs[0][2])]),
    ("audio_not_wav", lambda segs: [(segs[0][0], segs[0][0], segs[0][2])]),
])
def test_compose_error_on_bad_input(tmp_path, bad_case, mutate):
    segments = make_segments(tmp_path, texts=["Just one scene."])
    with pytest.raises(ComposeError) as info:
        compose_video(mutate(segments), tmp_path / "out")
    assert info.value.reason == "bad_input"


def test_full_disk_is_a_compose_error_without_partial_files(tmp_path):
    # given an output directory on a 256 KiB tmpfs (needs root to mount)
    segments = make_segments(tmp_path, texts=["A scene long enough to need more than a quarter megabyte "
                                              "of narration audio once it has been synthesized to a WAV."])
    disk = tmp_path / "disk"
    disk.mkdir()
    if not shutil.which("mount") or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],  # noqa: S603, S607 - mount from PATH (checked by shutil.which), fixed arguments
                                                   capture_output=True, check=False).returncode:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        # when composing into it
        with pytest.raises(ComposeError) as info:
            compose_video(segments, disk / "out")
        # then the error says so and nothing partial is left
        assert info.value.reason == "no_space"
        assert list((disk / "out").iterdir()) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)  # noqa: S603, S607 - umount from PATH, the test's own mount point


def test_build_cues_splits_long_sentences_and_times_by_length():
    cues = build_cues(["Short one. " + "word " * 40 + "end."], [10.0])
    assert len(cues) >= 3
    assert cues[0].start == 0
    assert cues[-1].end == 10.0
    assert cues[0].end - cues[0].start < cues[1].end - cues[1].start


def test_split_phrases_prefers_punctuation():
    pieces = split_phrases("When the ball leaves your hands at an angle, gravity pulls it down, "
                           "and the path becomes a parabola that you can predict with physics.")
    assert all(len(p) <= 84 for p in pieces)
    assert pieces[0].endswith(",")


def test_webvtt_escapes_markup_and_arrows():
    body = to_webvtt([Cue(0, 1, "a --> b & <c>")]).split("\n", 4)[4]
    assert "-->" not in body
    assert "&amp; &lt;c&gt;" in body
