"""Understand stage: screen the question, resolve it to a textbook section with a confidence,
then refuse, ask the student to choose, reuse an existing lesson or start (or join) a job."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import StudentInterest
from content import safety
from content.models import Lesson, LessonRequest, RequestStatus, SafetyEvent
from content.writers import SourcePassage
from ingestion.models import Topic

from . import state

logger = logging.getLogger(__name__)
SCIENCE_SUBJECTS = ("physics", "chemistry", "biology")


@dataclass(frozen=True)
class TopicMatch:
    topic_id: int
    title: str
    book: str
    subject: str
    confidence: float

    def as_choice(self) -> dict[str, Any]:
        return {"topic_id": self.topic_id, "title": self.title, "book": self.book, "subject": self.subject,
                "confidence": round(self.confidence, 3)}


def _search(query: str, *, k: int, filters: dict | None = None) -> list[Any]:
    from ingestion.search import search

    return search(query, k=k, filters=filters)


def match_topics(question: str, *, limit: int = 3) -> list[TopicMatch]:
    """Distinct science sections that best answer the question, best first, with a 0–1 confidence.

    Ranking is `ingestion.search.search_sections` (dense + BM25, section level); the confidence is
    the cosine similarity between the question and the section's best passage, so thresholds mean
    the same whatever the fusion weights are.
    """
    from ingestion.search import search_sections

    hits = [h for h in search_sections(question, k=limit + 3) if h.subject in SCIENCE_SUBJECTS]
    return [TopicMatch(h.topic_id, h.section_title, h.book_title, h.subject, h.confidence) for h in hits[:limit]]


def section_passages(topic: Topic, question: str) -> list[SourcePassage]:
    """Every indexed passage of one section (plus its glossary), numbered for citation."""
    query = f"{topic.title}. {question}".strip()
    found = _search(query, k=24, filters={"module_id": topic.module_id})
    found.sort(key=lambda p: (p.kind != "overview", p.kind == "glossary", p.anchor))
    passages: list[SourcePassage] = []
    seen_terms = set()
    for passage in found:
        if passage.kind == "glossary":
            seen_terms.add(passage.text.split(":", 1)[0].strip().lower())
        passages.append(SourcePassage(
            id=f"p{len(passages) + 1}", topic_id=passage.topic_id, module_id=passage.module_id, text=passage.text,
            book_title=passage.book_title, section_title=passage.section_title, anchor=passage.anchor,
            citation=passage.citation, url=getattr(passage, "source_url", ""), attribution=passage.attribution,
            kind=passage.kind))
    book = topic.chapter.book
    for entry in topic.glossary or []:  # glossary rows the index may not hold (cited to the module)
        term, meaning = entry.get("term", ""), entry.get("meaning", "")
        if term and meaning and term.lower() not in seen_terms:
            passages.append(SourcePassage(
                id=f"p{len(passages) + 1}", topic_id=topic.pk, module_id=topic.module_id, text=f"{term}: {meaning}",
                book_title=book.title, section_title=topic.title, anchor=f"{topic.module_id}#glossary",
                citation=f"{book.title}, {topic.chapter.number}.{topic.number} {topic.title}",
                url=book.source_url, attribution=book.attribution, kind="glossary"))
    return passages


def question_signature(question: str) -> str:
    """What makes two questions the same lesson: their content words (order, case and filler words
    aside), and whether the student asked for it simpler."""
    from content.writers import content_words
    from content.writers.reading import split_simpler

    simpler, plain = split_simpler(question or "")
    return ("simpler:" if simpler else "") + " ".join(sorted(content_words(plain)))


def reuse_key(*, module_ids: list[str], interest: str, grade_band: str, question: str = "") -> str:
    """The key under which one lesson serves every matching request: the lesson answers a question,
    so the question's signature is part of it (a catalogue pick asks "Teach me about <section>")."""
    raw = "|".join([",".join(sorted(module_ids)), interest.strip().lower(), grade_band,
                    settings.LESSON_GENERATOR_VERSION, question_signature(question)])
    return hashlib.sha256(raw.encode()).hexdigest()


def refuse(request: LessonRequest, category: str, message: str) -> None:
    """Refuse kindly, record a SafetyEvent and raise it to teachers when warranted."""
    from content.services import record_safety_event

    with transaction.atomic():
        request = LessonRequest.objects.select_for_update().get(pk=request.pk)
        if request.is_final:
            return
        state.set_request_status(request, RequestStatus.REFUSED, message=message)
        record_safety_event(student=request.student, category=category, question=request.question,
                            lesson_request=request)


def _apply_class_choices(request: LessonRequest, topic: Topic) -> Lesson | None:
    """Honour the teacher's choices for the student's classes (issue 9).

    A lesson the class pinned for this topic is served as is; an interest the class blocked for
    this topic is replaced by the student's next-ranked unblocked interest (or everyday framing).
    """
    from schools.selectors import blocked_interest_ids_for, pinned_lesson_for_student

    pinned = pinned_lesson_for_student(student=request.student, topic=topic)
    if pinned is not None:
        return pinned
    blocked = blocked_interest_ids_for(student=request.student, topic=topic)
    if request.interest_id and request.interest_id in blocked:
        ranked = (StudentInterest.objects.filter(student=request.student).exclude(interest_id__in=blocked)
                  .select_related("interest").order_by("rank").first())
        request.interest = ranked.interest if ranked else None
        request.interest_name = ranked.interest.name if ranked else "everyday life"
    return None


def attach_to_lesson(request: LessonRequest, topic: Topic) -> None:
    """Reuse a ready lesson, join the job already building it, or start a new one."""
    with transaction.atomic():
        request = LessonRequest.objects.select_for_update().select_related("student").get(pk=request.pk)
        if request.is_final or request.lesson_id:
            return
        request.topic = topic
        request.module_ids = [topic.module_id]
        pinned = _apply_class_choices(request, topic)
        if pinned is not None:
            request.save(update_fields=["topic", "module_ids", "updated_at"])
            state.mark_request_ready(request, pinned, reused=True, notify=False)
            return
        key = reuse_key(module_ids=[topic.module_id], interest=request.interest_name,
                        grade_band=request.grade_band, question=request.question)
        try:
            with transaction.atomic():
                lesson, created = Lesson.objects.get_or_create(reuse_key=key, defaults={
                    "topic": topic, "module_ids": [topic.module_id], "interest": request.interest_name,
                    "grade_band": request.grade_band, "generator_version": settings.LESSON_GENERATOR_VERSION,
                    "title": topic.title, "paying_district_id": request.student.district_id})
        except IntegrityError:  # a concurrent identical request created it first: share its job
            lesson, created = Lesson.objects.get(reuse_key=key), False
        lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
        request.lesson = lesson
        request.save(update_fields=["topic", "module_ids", "lesson", "interest", "interest_name", "updated_at"])
        if lesson.stage == Lesson.Stage.READY:
            state.mark_request_ready(request, lesson, reused=True, notify=False)
            return
        if lesson.stage == Lesson.Stage.FAILED:  # an earlier attempt failed: this request retries it (and pays)
            lesson.stage, lesson.error, lesson.resume_count = Lesson.Stage.SCRIPTING, "", 0
            lesson.stage_log = {}
            lesson.paying_district_id = request.student.district_id
            lesson.save(update_fields=["stage", "error", "resume_count", "stage_log", "paying_district",
                                       "updated_at"])
            created = True
        state.set_request_status(request, lesson.stage, message=RequestStatus(lesson.stage).label + "…")
        if created:
            state.enqueue_stage(lesson.pk, Lesson.Stage.SCRIPTING)


def understand(request_id: int) -> None:
    """Run the understand stage for one request (idempotent)."""
    with transaction.atomic():
        request = LessonRequest.objects.select_for_update().select_related("student").get(pk=request_id)
        if request.status not in (RequestStatus.QUEUED, RequestStatus.UNDERSTANDING):
            return
        state.set_request_status(request, RequestStatus.UNDERSTANDING, message="Understanding your question…")

    concern = safety.screen_question(request.question)
    if concern:
        refuse(request, concern.category, concern.message)
        return
    if request.topic_id:
        topic = Topic.objects.select_related("chapter__book").get(pk=request.topic_id)
        request.confidence = 1.0
        request.save(update_fields=["confidence", "updated_at"])
        attach_to_lesson(request, topic)
        return

    matches = match_topics(request.question)
    best = matches[0].confidence if matches else 0.0
    request.confidence = round(best, 4)
    request.choices = [m.as_choice() for m in matches]
    request.save(update_fields=["confidence", "choices", "updated_at"])
    if best < settings.LESSON_OFF_TOPIC_THRESHOLD and not safety.is_science_question(request.question):
        refuse(request, SafetyEvent.Category.OFF_TOPIC, safety.KIND_MESSAGES[SafetyEvent.Category.OFF_TOPIC])
        return
    if not matches:  # only an empty index gets here: every question has *some* nearest sections
        with transaction.atomic():
            locked = LessonRequest.objects.select_for_update().get(pk=request.pk)
            if not locked.is_final:
                state.mark_request_failed(locked, "no_material", detail="retrieval returned nothing")
        return
    if best < settings.LESSON_CONFIDENCE_THRESHOLD or safety.is_vague(request.question):
        with transaction.atomic():
            locked = LessonRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status == RequestStatus.UNDERSTANDING:
                state.set_request_status(locked, RequestStatus.NEEDS_CHOICE, message=_choice_message(request))
        return
    topic = Topic.objects.select_related("chapter__book").get(pk=matches[0].topic_id)
    attach_to_lesson(request, topic)


def _choice_message(request: LessonRequest) -> str:
    if safety.is_vague(request.question):
        return (f"“{request.question.strip()[:60]}” comes up in several textbook sections. "
                "Which one would you like a lesson on?")
    return "We found a few textbook sections that might match. Which one did you mean?"
