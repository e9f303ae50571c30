"""The lesson-job stages after understanding: script → narration → visuals → compose.

Each `run_*` takes a lesson id and `final_attempt` (on the last retry a transient provider error
falls back to the local provider instead of raising). Work happens outside row locks; results are
written under `select_for_update` only if the lesson is still in that stage, and per-scene
checkpoints (stored image/audio paths) let a resumed stage skip what is already done.
"""

from __future__ import annotations

import logging
import shutil
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.privacy.selectors import must_use_local_providers
from content import quality
from content.models import ACTIVE_REQUEST_STATUSES, Lesson, LessonScene, QuizQuestion
from content.writers import (
    LessonBrief,
    PracticeSource,
    ScriptInvalid,
    SourcePassage,
    narration_of,
    validate_script,
)
from ingestion.models import Topic
from vividly.providers import breakers, registry
from vividly.providers.base import (
    ProviderError,
    ProviderFatal,
    ProviderRetryable,
    ProviderUnavailable,
    Usage,
)

from . import NEXT_STAGE, state
from .slide_specs import slide_spec

logger = logging.getLogger(__name__)


def _observe(stage: str, provider: str, seconds: float) -> None:
    try:
        from vividly.observability.metrics import observe_stage
    except ImportError:  # observability not installed
        return
    observe_stage(stage, provider, seconds)


def work_dir(lesson_id: int) -> Path:
    path = Path(settings.LESSON_WORK_DIR) / str(lesson_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _begin(lesson_id: int, stage: str) -> Lesson | None:
    """Lock the lesson; None if it has moved past `stage` (a duplicate or late delivery)."""
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
        if lesson.stage != stage:
            return None
        state.note_stage(lesson.stage_log, stage, started=state.now_iso())
        lesson.save(update_fields=["stage_log", "updated_at"])
        state.sync_requests(lesson)
    return Lesson.objects.select_related("topic__chapter__book").get(pk=lesson_id)


def _advance(lesson_id: int, stage: str, *, provider: str, apply=None) -> bool:
    """Write a stage's result and move to the next stage, once; False if someone else already did."""
    with transaction.atomic():
        lesson = Lesson.objects.select_for_update().get(pk=lesson_id)
        if lesson.stage != stage:
            return False
        if apply is not None:
            apply(lesson)
        nxt = NEXT_STAGE[stage]
        state.note_stage(lesson.stage_log, stage, finished=state.now_iso(), provider=provider)
        lesson.providers = {**lesson.providers, stage: provider}
        lesson.stage = nxt
        if nxt == Lesson.Stage.READY:
            lesson.ready_at = timezone.now()
        lesson.save()
        state.sync_requests(lesson)
        if nxt == Lesson.Stage.READY:
            active = lesson.requests.select_for_update().filter(status__in=ACTIVE_REQUEST_STATUSES)
            for request in active.select_related("student"):
                state.mark_request_ready(request, lesson)
        else:
            state.enqueue_stage(lesson.pk, nxt)
    return True


def local_only_reason(lesson: Lesson, district_id: int | None) -> str:
    """Why this job must stay on local providers ("" when cloud providers may be used)."""
    from content import services
    from flags.evaluation import flag_is_active

    if must_use_local_providers(district_id):  # privacy hook (issue 5): district AI data residency
        return "district data residency"
    first = lesson.requests.order_by("created_at").select_related("student").first()
    if not flag_is_active("cloud_providers", first.student if first else lesson.regenerated_by):
        return "cloud providers switched off (cloud_providers flag)"
    if not services.paid_providers_allowed(district_id=district_id):
        return "district budget reached"
    return ""


def paying_district_id(lesson: Lesson) -> int | None:
    """The district that pays for the job: the one recorded when the job started (the first asking
    student's, or the regenerating teacher's), else the district of the first student who asked."""
    if lesson.paying_district_id:
        return lesson.paying_district_id
    return lesson.requests.order_by("created_at").values_list("student__district_id", flat=True).first()


# --- script ---------------------------------------------------------------------------------------

def build_brief(lesson: Lesson) -> LessonBrief:
    from content.writers.reading import split_simpler
    from ingestion.models import PracticeItem

    from .evidence import lesson_passages, related_terms

    topic: Topic = lesson.topic
    first = lesson.requests.order_by("created_at").first()
    simpler, question = split_simpler(first.question if first else "")
    question = question or f"Teach me about {topic.title}"
    passages = lesson_passages(topic, question)
    practice = [PracticeSource(pk=item.pk, kind=item.kind, problem=item.problem, answer=item.answer,
                               solution=item.solution,
                               choices=[c if isinstance(c, str) else str(c.get("text", "")) for c in item.choices or []])
                for item in PracticeItem.objects.filter(topic=topic).order_by("pk")[:12]]
    key_terms = list(topic.key_terms or []) or [g.get("term", "") for g in topic.glossary or []]
    return LessonBrief(
        topic_id=topic.pk, topic_title=topic.title, subject=topic.subject, question=question,
        interest=lesson.interest, grade_band=lesson.grade_band, passages=passages, key_terms=key_terms,
        glossary=list(topic.glossary or []), learning_objectives=list(topic.learning_objectives or []),
        practice=practice, related_terms=related_terms(topic), simpler=simpler)


def _write(lesson: Lesson, brief: LessonBrief, *, final_attempt: bool) -> tuple[dict[str, Any], str, str]:
    """(script, provider used, fallback reason) — the configured writer, else the local one."""
    from content import services
    from content.writers.remote import write_with_llm

    district_id = paying_district_id(lesson)
    provider = registry.get("llm")
    local = registry.get("llm_local")
    reason = ""
    if provider.name != local.name:
        reason = local_only_reason(lesson, district_id)
        if not reason:
            started = time.perf_counter()
            try:
                script, usage = breakers.call("gemini", write_with_llm, provider, brief)
            except ProviderRetryable as exc:
                services.record_provider_call(capability="llm", usage=Usage(provider=provider.name), lesson=lesson,
                                              district_id=district_id, succeeded=False, detail=str(exc),
                                              seconds=time.perf_counter() - started)
                if not final_attempt:
                    raise
                reason = f"{exc.__class__.__name__}: {exc}"
            except (ProviderUnavailable, ProviderFatal) as exc:
                if not isinstance(exc, ProviderUnavailable):
                    services.record_provider_call(capability="llm", usage=Usage(provider=provider.name),
                                                  lesson=lesson, district_id=district_id, succeeded=False,
                                                  detail=str(exc), seconds=time.perf_counter() - started)
                reason = f"{exc.__class__.__name__}: {exc}"
            else:
                services.record_provider_call(capability="llm", usage=usage, lesson=lesson, district_id=district_id,
                                              seconds=time.perf_counter() - started)
                return script, provider.name, ""
    started = time.perf_counter()
    script, usage = local.write_lesson(brief)
    validate_script(script, brief.passages)
    services.record_provider_call(capability="llm", usage=usage, lesson=lesson, district_id=district_id,
                                  is_fallback=bool(reason), detail=reason, seconds=time.perf_counter() - started)
    return script, local.name, reason


def _numbered_transcript(script: dict[str, Any], numbers: dict[str, int]) -> str:
    lines = []
    for scene in script["scenes"]:
        parts = [s["text"] + (f" [{numbers[s['citation']]}]" if s.get("citation") in numbers else "")
                 for s in scene["sentences"]]
        lines.append(" ".join(parts))
    return "\n\n".join(lines)


def run_script(lesson_id: int, *, final_attempt: bool = True) -> None:
    """Scripting: write, validate and store scenes, quiz, citations and the transcript."""
    lesson = _begin(lesson_id, Lesson.Stage.SCRIPTING)
    if lesson is None:
        return
    from content import services

    if services.generation_paused(district_id=paying_district_id(lesson)):
        state.fail_lesson(lesson_id, "paused")
        return
    started = time.perf_counter()
    brief = build_brief(lesson)
    if not any(p.kind != "glossary" for p in brief.passages):
        state.fail_lesson(lesson_id, "no_material", detail="no passages for the section")
        return
    try:
        script, provider, reason = _write(lesson, brief, final_attempt=final_attempt)
    except ScriptInvalid as exc:
        state.fail_lesson(lesson_id, "no_material", detail=str(exc))
        return
    passages: dict[str, SourcePassage] = {p.id: p for p in brief.passages}
    cited_ids = list(dict.fromkeys(
        [s["citation"] for scene in script["scenes"] for s in scene["sentences"] if s.get("citation")]
        + [q.get("citation") for q in script["quiz"] if q.get("citation") in passages]))
    numbers = {pid: n for n, pid in enumerate(cited_ids, start=1)}
    citations = [{"number": numbers[pid], **passages[pid].as_citation()} for pid in cited_ids]
    record = quality.measure(script=script, interest=lesson.interest, grade_band=lesson.grade_band,
                             key_terms=brief.key_terms, simpler=brief.simpler)

    def apply(locked: Lesson) -> None:
        locked.title = script.get("title") or brief.topic_title
        locked.script = {**script, "passages": [p.as_citation() for p in brief.passages], "key_terms": brief.key_terms,
                         "simpler": brief.simpler}
        locked.citations = citations
        locked.transcript = _numbered_transcript(script, numbers)
        locked.quality = record
        if reason:
            locked.providers = {**locked.providers, "scripting_fallback": reason[:300]}
        locked.scenes.all().delete()
        locked.quiz_questions.all().delete()
        LessonScene.objects.bulk_create([LessonScene(
            lesson=locked, index=i, kind=scene["kind"], title=scene["title"][:300], narration=narration_of(scene),
            sentences=scene["sentences"], bullets=scene.get("bullets") or [], equation=scene.get("equation") or "",
            visual_description=scene.get("visual_description") or "") for i, scene in enumerate(script["scenes"], 1)])
        QuizQuestion.objects.bulk_create([QuizQuestion(
            lesson=locked, index=i, prompt=q["prompt"], choices=q.get("choices") or [], answer=q["answer"],
            explanation=q["explanation"], citation=q.get("citation") or "",
            practice_item_id=q.get("practice_item_id")) for i, q in enumerate(script["quiz"], 1)])

    _advance(lesson_id, Lesson.Stage.SCRIPTING, provider=provider, apply=apply)
    _observe("scripting", provider, time.perf_counter() - started)


# --- visuals and narration --------------------------------------------------------------------------

def _media_call(capability: str, method: str, arg: Any, *, local_only: bool, final_attempt: bool):
    """Render/narrate through the media layer's fallbacks; `local_only` starts from the local provider."""
    from content.media import resilient

    fallback_on: tuple[type[ProviderError], ...] = (ProviderUnavailable, ProviderFatal)
    if final_attempt:
        fallback_on = (*fallback_on, ProviderRetryable)
    func = resilient.render_with_fallback if method == "render" else resilient.synthesize_with_fallback
    return func(arg, capability=f"{capability}_local" if local_only else capability, fallback_on=fallback_on)


def _footer(lesson: Lesson, scene: LessonScene) -> str:
    by_id = {c["id"]: c for c in lesson.citations}
    for sentence in scene.sentences:
        if sentence.get("citation") in by_id:
            return f"Source: {by_id[sentence['citation']]['citation']} (OpenStax, CC BY 4.0)"
    if lesson.citations:
        return f"Source: {lesson.citations[0]['citation']} (OpenStax, CC BY 4.0)"
    return "Source: OpenStax (CC BY 4.0)"


def _store(lesson_id: int, local: Path) -> tuple[str, str]:
    from content.media.storage import save_lesson_asset

    name = f"lessons/{lesson_id}/{local.name}"
    return name, save_lesson_asset(name, local)


def run_visuals(lesson_id: int, *, final_attempt: bool = True) -> None:
    """Rendering: one 1280×720 image per scene (checkpointed per scene)."""
    lesson = _begin(lesson_id, Lesson.Stage.RENDERING)
    if lesson is None:
        return
    from content import services

    started = time.perf_counter()
    district_id = paying_district_id(lesson)
    local_only = bool(local_only_reason(lesson, district_id))  # once per stage, not per scene
    scenes = list(lesson.scenes.all())
    folder = work_dir(lesson_id)
    used: list[str] = []
    for done, scene in enumerate(scenes, start=1):
        if scene.image_path and default_storage.exists(scene.image_path):
            used.append(scene.image_provider)
            continue
        spec = slide_spec(lesson, scene, count=len(scenes), citation=_footer(lesson, scene))
        call_started = time.perf_counter()
        outcome = _media_call("image", "render", spec, local_only=local_only, final_attempt=final_attempt)
        local = folder / f"scene-{scene.index:02d}.png"
        local.write_bytes(outcome.result.png)
        scene.image_path, scene.image_url = _store(lesson_id, local)
        scene.image_provider = outcome.provider
        scene.save(update_fields=["image_path", "image_url", "image_provider"])
        services.record_provider_call(capability="image", usage=outcome.result.usage, lesson=lesson,
                                      district_id=district_id, is_fallback=outcome.fell_back, detail=outcome.reason,
                                      seconds=time.perf_counter() - call_started)
        used.append(outcome.provider)
        state.bump_progress(lesson_id, Lesson.Stage.RENDERING, done, len(scenes))
    provider = "+".join(sorted(set(used))) or "none"
    _advance(lesson_id, Lesson.Stage.RENDERING, provider=provider)
    _observe("rendering", provider, time.perf_counter() - started)


def _has_audio(scene: LessonScene) -> bool:
    return bool(scene.audio_path) and default_storage.exists(scene.audio_path)


def _narrate(text: str, *, order: int, local_only: bool, final_attempt: bool):
    """(outcome, seconds) for one scene's narration; runs on a narration thread (no database)."""
    from content.media.speech import NARRATION_ORDER

    NARRATION_ORDER.set(order)  # this thread's context only: lower scene numbers are voiced first
    started = time.perf_counter()
    return _media_call("tts", "synthesize", text, local_only=local_only, final_attempt=final_attempt), \
        time.perf_counter() - started


def _keep_narration(lesson: Lesson, scene: LessonScene, outcome, seconds: float, *, district_id: int | None) -> None:
    """Store a scene's narration (the checkpoint), its timings, voice and any fallback; bill the call."""
    from content import services

    clip = outcome.result
    local = work_dir(lesson.pk) / f"scene-{scene.index:02d}.wav"
    local.write_bytes(clip.wav)
    scene.audio_path, scene.audio_url = _store(lesson.pk, local)
    scene.audio_seconds = round(clip.duration_seconds, 3)
    scene.audio_provider = outcome.provider
    scene.audio_timings = {"voice": clip.voice or outcome.provider, "at": state.now_iso(),
                           "sentences": [list(span) for span in clip.sentence_spans]}
    if outcome.fell_back:
        scene.audio_timings["fallback"] = outcome.reason[:300]
    scene.save(update_fields=["audio_path", "audio_url", "audio_seconds", "audio_provider", "audio_timings"])
    services.record_provider_call(capability="tts", usage=clip.usage, lesson=lesson, district_id=district_id,
                                  is_fallback=outcome.fell_back, detail=outcome.reason, seconds=seconds)


def run_narration(lesson_id: int, *, final_attempt: bool = True) -> None:
    """Narrating: per-scene audio, several scenes at once (bounded), checkpointed per scene.

    Runs right after scripting (before the slides). Each scene carries its number as its narration
    order, so the voice works on scene 1 first; each clip is stored as soon as it exists, and "Vivid
    Now" plays it while the rest are still being voiced. Database writes stay on this thread; the
    narration threads only synthesize.
    """
    lesson = _begin(lesson_id, Lesson.Stage.NARRATING)
    if lesson is None:
        return
    started = time.perf_counter()
    district_id = paying_district_id(lesson)
    local_only = bool(local_only_reason(lesson, district_id))  # once per stage, not per scene
    scenes = list(lesson.scenes.all())
    todo = [s for s in scenes if not _has_audio(s)]
    done = len(scenes) - len(todo)
    pool = ThreadPoolExecutor(max_workers=max(1, min(settings.LESSON_NARRATION_WORKERS, len(todo) or 1)),
                              thread_name_prefix="narrate")
    try:
        futures = {pool.submit(_narrate, scene.narration, order=scene.index, local_only=local_only,
                               final_attempt=final_attempt): scene for scene in todo}
        for future in as_completed(futures):
            _keep_narration(lesson, futures[future], *future.result(), district_id=district_id)
            done += 1
            state.bump_progress(lesson_id, Lesson.Stage.NARRATING, done, len(scenes))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    total = round(sum(s.audio_seconds for s in scenes), 3)
    provider = "+".join(sorted({s.audio_provider for s in scenes})) or "none"
    timings = [s.audio_timings or {} for s in scenes]
    voice = "+".join(sorted({t.get("voice") or s.audio_provider for s, t in zip(scenes, timings, strict=True)}))
    fallbacks = [t["fallback"] for t in timings if t.get("fallback")]
    first_audio = timings[0].get("at", "") if timings else ""

    def apply(locked: Lesson) -> None:
        locked.narration_seconds = total
        locked.providers = {**locked.providers, "voice": voice}
        if fallbacks:
            locked.providers["narrating_fallback"] = fallbacks[0]
        if first_audio:
            state.note_stage(locked.stage_log, Lesson.Stage.NARRATING, first_audio=first_audio)

    _advance(lesson_id, Lesson.Stage.NARRATING, provider=provider, apply=apply)
    _observe("narrating", provider, time.perf_counter() - started)


# --- compose ---------------------------------------------------------------------------------------

def _local_copy(name: str, target: Path) -> Path:
    """The checkpointed asset as a local file (downloaded from storage if this machine lacks it)."""
    if not target.is_file():
        with default_storage.open(name, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


def run_compose(lesson_id: int, *, final_attempt: bool = True) -> None:
    """Composing: MP4 + VTT + poster + transcript, quality record, then deliver to every request."""
    lesson = _begin(lesson_id, Lesson.Stage.COMPOSING)
    if lesson is None:
        return
    from content.media.compose import Segment, compose_video

    started = time.perf_counter()
    folder = work_dir(lesson_id)
    scenes = list(lesson.scenes.all())
    segments = [Segment(image=_local_copy(s.image_path, folder / f"scene-{s.index:02d}.png"),
                        audio=_local_copy(s.audio_path, folder / f"scene-{s.index:02d}.wav"), text=s.narration,
                        spans=tuple(tuple(span) for span in (s.audio_timings or {}).get("sentences", [])))
                for s in scenes]
    video = compose_video(segments, folder / "video", basename="lesson")
    transcript_file = folder / "video" / "transcript.txt"
    references = "\n".join(f"[{c['number']}] {c['citation']}. {c.get('attribution', '')}".strip()
                           for c in lesson.citations)
    transcript_file.write_text(f"{lesson.title}\n\n{lesson.transcript}\n\nSources\n{references}\n", encoding="utf-8")
    stored = {kind: _store(lesson_id, path) for kind, path in (
        ("video", video.video_path), ("captions", video.captions_path), ("poster", video.poster_path),
        ("transcript", transcript_file))}
    caption_text = " ".join(cue.text for cue in video.cues)
    record = quality.measure(script=lesson.script, interest=lesson.interest, grade_band=lesson.grade_band,
                             key_terms=lesson.script.get("key_terms", []), caption_text=caption_text,
                             simpler=bool(lesson.script.get("simpler")))
    record["duration_seconds"] = video.duration_seconds
    record["narration_seconds"] = lesson.narration_seconds
    record["compose_seconds"] = round(video.timings.get("total", 0.0), 2)

    def apply(locked: Lesson) -> None:
        locked.video_path, locked.video_url = stored["video"]
        locked.captions_url = stored["captions"][1]
        locked.poster_url = stored["poster"][1]
        locked.transcript_url = stored["transcript"][1]
        locked.duration_seconds = video.duration_seconds
        locked.quality = record

    if _advance(lesson_id, Lesson.Stage.COMPOSING, provider="ffmpeg", apply=apply):
        transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))
    _observe("composing", "ffmpeg", time.perf_counter() - started)


STAGE_RUNNERS = {
    Lesson.Stage.SCRIPTING: run_script, Lesson.Stage.RENDERING: run_visuals,
    Lesson.Stage.NARRATING: run_narration, Lesson.Stage.COMPOSING: run_compose,
}
