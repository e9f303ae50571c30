"""Time the media part of a lesson: 6 teaching slides + 6 narrations + compose (~90 s lesson).

Usage: .venv/bin/python bench/media_compose.py [--voice piper|espeak] [--workers 2] [--fps 5] [--runs 3] [--keep DIR]
Prints per-stage wall times (best of N runs), the voice's real-time factor, the first scene's audio
latency, the video length and sizes. Narration runs like the narrating stage: scenes in parallel
(`--workers`), scene 1 first. Targets (issue 18): slides in a couple of seconds, first audio < 5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from content.media.compose import Segment, compose_video
from content.media.piper import PiperSpeech
from content.media.slides import LocalSlideRenderer
from content.media.speech import NARRATION_ORDER, EspeakSpeech
from vividly.providers.base import SlideSpec

CITATION = "Source: OpenStax College Physics 2e, 4.3 Newton's Second Law of Motion · CC BY 4.0"
SCENES = [
    ("Why does a fast break feel so fast?",
     ["The point guard pushes off and the ball speeds up.", "Speeding up is called acceleration."], None,
     "Picture a fast break. The point guard grabs the rebound, pushes off, and the ball flies up the court. "
     "In a second or two it goes from standing still to full speed. That change in speed has a name in "
     "physics: acceleration. So what makes it happen?"),
    ("Force causes acceleration",
     ["A net force makes a mass accelerate.", "No net force means no change in motion."], None,
     "A force is a push or a pull. When the forces on an object do not cancel out, there is a net force, "
     "and the object accelerates in the direction of that net force. If the forces balance, the motion "
     "does not change at all. A ball resting on the floor stays put until something pushes it."),
    ("Newton's second law",
     ["Acceleration equals net force divided by mass.", "Force is measured in newtons."], "F_net = m × a",
     "Newton's second law puts this into one equation. The net force equals mass times acceleration. "
     "Turn it around and the acceleration equals the net force divided by the mass. Force is measured in "
     "newtons, mass in kilograms, and acceleration in meters per second squared."),
    ("Worked example: the chest pass",
     ["Ball mass: 0.62 kg", "Push: 12 N", "Acceleration: 12 ÷ 0.62 ≈ 19 m/s²"], "a = 12 N ÷ 0.62 kg ≈ 19 m/s²",
     "Let's try it on the court. A basketball has a mass of about zero point six two kilograms. Your chest "
     "pass pushes it with a net force of twelve newtons. Divide twelve by zero point six two and the ball "
     "accelerates at about nineteen meters per second squared. That is why a crisp pass gets there so fast."),
    ("Mass matters",
     ["Same push, twice the mass: half the acceleration.", "A medicine ball barely moves."], None,
     "Now throw a medicine ball with the same push. Its mass is many times larger, so its acceleration is "
     "many times smaller. Double the mass and, with the same force, you get half the acceleration. Heavy "
     "objects are harder to speed up, and just as hard to stop."),
    ("Recap",
     ["Net force causes acceleration.", "a = F_net ÷ m", "More mass, less acceleration."], "F_net = m × a",
     "To recap: a net force makes an object accelerate. The acceleration grows with the force and shrinks "
     "with the mass. Next time you see a fast break, you are watching Newton's second law in action."),
]


TEACHING = [  # the optional teaching fields a writer adds (issue 18), per scene
    {"kind": "hook", "key_idea": "What makes a fast break so fast?"},
    {"kind": "explanation", "key_idea": "A net force makes a mass accelerate", "sketch": "forces",
     "sketch_labels": ("right: Push 12 N", "left: Friction 3 N", "basketball")},
    {"kind": "explanation", "key_idea": "Acceleration is net force divided by mass"},
    {"kind": "example", "key_idea": "A chest pass in numbers",
     "example_lines": ("m = 0.62 kg", "F_net = 12 N", "a = F_net / m = 19.4 m/s^2")},
    {"kind": "explanation", "key_idea": "More mass, less acceleration", "sketch": "forces",
     "sketch_labels": ("right: Same push 12 N", "medicine ball")},
    {"kind": "recap"},
]


def run_once(out: Path, fps: int, voice: str, workers: int) -> dict[str, float]:
    renderer = LocalSlideRenderer()
    speech = PiperSpeech() if voice == "piper" else EspeakSpeech()
    segments, timings = [], {}
    started = time.perf_counter()
    pngs = []
    for i, (title, bullets, equation, _) in enumerate(SCENES):
        spec = SlideSpec(title=title, bullets=bullets, equation=equation, citation=CITATION,
                         interest="basketball", subject="physics", scene_index=i, scene_count=len(SCENES),
                         **TEACHING[i])
        path = out / f"scene{i}.png"
        path.write_bytes(renderer.render(spec).png)
        pngs.append(path)
    timings["slides"] = time.perf_counter() - started
    started = time.perf_counter()
    first: list[float] = []

    def narrate(i: int):
        NARRATION_ORDER.set(i + 1)  # as the narrating stage does: scene 1 first
        call = time.perf_counter()
        clip = speech.synthesize(SCENES[i][3])
        if i == 0:
            first.append(time.perf_counter() - started)
        return clip, time.perf_counter() - call

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(narrate, range(len(SCENES))))
    timings["tts"] = time.perf_counter() - started
    timings["first_audio"] = first[0]
    audio = sum(clip.duration_seconds for clip, _ in results)
    timings["rtf_wall"] = timings["tts"] / audio
    timings["rtf_call"] = sum(seconds for _, seconds in results) / audio
    for i, (clip, _) in enumerate(results):
        path = out / f"scene{i}.wav"
        path.write_bytes(clip.wav)
        segments.append(Segment(pngs[i], path, SCENES[i][3], clip.sentence_spans))
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    video = compose_video(segments, out / "lesson", fps=fps)
    timings["compose"] = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timings["ffmpeg_cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    timings["encode"] = video.timings["encode"]
    timings["total"] = timings["slides"] + timings["tts"] + timings["compose"]
    timings["video_seconds"] = video.duration_seconds
    timings["mp4_kb"] = video.size_bytes / 1024
    timings["cues"] = len(video.cues)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fps", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the outputs here instead of a temp dir")
    parser.add_argument("--voice", choices=("piper", "espeak"), default="piper")
    parser.add_argument("--workers", type=int, default=2, help="scenes narrated at once (as LESSON_NARRATION_WORKERS)")
    args = parser.parse_args()
    words = sum(len(s[3].split()) for s in SCENES)
    if args.voice == "piper":  # a worker loads the model at start-up (warm-up), not per lesson
        started = time.perf_counter()
        PiperSpeech().warm_up()
        print(f"Piper model load + first sentence: {time.perf_counter() - started:.2f} s (once per worker process)")
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = args.keep or Path(tmp)
            out.mkdir(parents=True, exist_ok=True)
            results.append(run_once(out, args.fps, args.voice, args.workers))
    best = {key: min(r[key] for r in results) for key in results[0]}
    median_total = statistics.median(r["total"] for r in results)
    print(f"media bench: {len(SCENES)} scenes, {words} words, fps={args.fps}, runs={args.runs}")
    print(f"  video length       {best['video_seconds']:.1f} s  ({best['cues']:.0f} caption cues, "
          f"{best['mp4_kb']:.0f} KiB mp4)")
    print(f"  slides (Pillow)    {best['slides']:.2f} s   ({best['slides'] / len(SCENES) * 1000:.0f} ms/slide)")
    print(f"  narration ({args.voice}) {best['tts']:.2f} s wall with {args.workers} workers  "
          f"(real-time factor {best['rtf_wall']:.3f} wall, {best['rtf_call']:.3f} per call; "
          f"scene 1 audio after {best['first_audio']:.2f} s)")
    print(f"  compose (ffmpeg)   {best['compose']:.2f} s   (encode {best['encode']:.2f} s, "
          f"{best['video_seconds'] / best['compose']:.0f}x real time, ffmpeg CPU {best['ffmpeg_cpu']:.2f} s)")
    load = os.getloadavg()[0]
    print(f"  total media part   {best['total']:.2f} s best, {median_total:.2f} s median  (with the neural voice the whole lesson must be ready < 20 s; load avg {load:.1f} on {os.cpu_count()} cores)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak RSS           {peak_mb:.0f} MB python, {child_mb:.0f} MB largest child (ffmpeg)")


if __name__ == "__main__":
    main()
