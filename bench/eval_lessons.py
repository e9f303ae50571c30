"""Lesson quality on student-style questions (issue 18, item 7): does each lesson answer its question?

    make eval-lessons                       # every question, full pipeline (slides, narration, video)
    .venv/bin/python bench/eval_lessons.py --split dev --script-only -v

Needs a database with the full three-book corpus: set DATABASE_URL (and REDIS_URL if it is not the
embedded one). Questions: bench/data/lesson_eval.json (written from the corpus as a 9th-grader
would ask; a third are marked "heldout" and are only ever reported in aggregate — never tune on them).
Each question is asked as a student of its grade through `services.create_lesson_request` and run
inline (`manage.py generate_lesson`'s path) with the local providers. The eval creates its own tenant
("Vividly lesson eval" district, three students) and, at the start of every run, retires the lessons
those students received before (their reuse keys), so each run measures freshly written lessons.

Prints, per split: share of lessons that answer their question (every required concept in the
transcript; and within its first 90 words), share of factual sentences cited, reading grade against
the student's grade, interest present beyond the hook, quiz checks and time to ready. Also the share
answered after at most one "Not quite what you asked?" pick: when a lesson does not answer and the
lesson page offers the question's labelled section, that lesson is made too (`not_quite`); the
headline figure is the first lesson's, the other figures are the first lessons' only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

from _setup import django_setup

DATA = Path(__file__).resolve().parent / "data" / "lesson_eval.json"
EARLY_WORDS = 90
TRUE_FALSE = {"true", "false"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9.]+", " ", text.replace("-", " "))


def mentions(text: str, phrase: str) -> bool:
    """`phrase` in normalised `text`, each word allowing a short suffix (plurals, -ed, -ic...)."""
    words = normalise(phrase).split()
    if not words:
        return False
    pattern = r"\b" + r"\s+".join(re.escape(w) + (r"\w{0,3}" if len(w) >= 4 else r"s?") for w in words) + r"\b"
    return re.search(pattern, normalise(text)) is not None


def _stems(text: str) -> list[str]:
    import Stemmer  # noqa: PLC0415 - PyStemmer, as the BM25 index uses

    return Stemmer.Stemmer("english").stemWords(normalise(text).split())


def mentions_stemmed(text: str, phrase: str) -> bool:
    """`mentions`, or the phrase's words equal to the Snowball stems of consecutive words of `text`
    ("conserv" ~ "conservation", "oxid" ~ "oxidation": stems the suffix rule of `mentions` misses).
    Reported beside the plain figure, never instead of it."""
    if mentions(text, phrase):
        return True
    wanted, said = _stems(phrase), _stems(text)
    return bool(wanted) and any(said[i:i + len(wanted)] == wanted for i in range(len(said) - len(wanted) + 1))


def covers(text: str, concepts: list[list[str]], *, stemmed: bool = False) -> bool:
    match = mentions_stemmed if stemmed else mentions
    return all(any(match(text, alt) for alt in concept) for concept in concepts)


def always_true(question: dict) -> bool:
    """A true/false item whose answer is True (the textbook statement, copied: always True)."""
    choices = {str(c).strip().lower() for c in question.get("choices") or []}
    prompt = question.get("prompt", "").lower()
    is_true_false = (choices and choices <= TRUE_FALSE) or prompt.startswith("true or false")
    return bool(is_true_false and str(question.get("answer", "")).strip().lower() == "true")


def score_lesson(item: dict, lesson) -> dict:
    scenes = list(lesson.scenes.order_by("index"))
    narration = " ".join(scene.narration for scene in scenes)
    early = " ".join(narration.split()[:EARLY_WORDS])
    sentences = [s for scene in scenes for s in scene.sentences]
    factual = [s for s in sentences if not s.get("framing")]
    cited = [s for s in factual if s.get("citation")]
    interest = lesson.interest.lower()
    beyond_hook = " ".join(scene.narration for scene in scenes if scene.kind not in ("hook", "check"))
    quiz = list(lesson.quiz_questions.order_by("index"))
    quiz_dicts = [{"prompt": q.prompt, "choices": q.choices, "answer": q.answer} for q in quiz]
    citation_ids = {c["id"] for c in lesson.citations}
    quality = lesson.quality or {}
    return {
        "answered": covers(narration, item["concepts"]),
        "answered_early": covers(early, item["concepts"]),
        "answered_stemmed": covers(narration, item["concepts"], stemmed=True),
        "answered_early_stemmed": covers(early, item["concepts"], stemmed=True),
        "missing": [c[0] for c in item["concepts"] if not any(mentions(narration, a) for a in c)],
        "factual": len(factual), "cited": len(cited),
        "reading_grade": quality.get("reading_grade"),
        "interest_beyond_hook": mentions(beyond_hook, interest) if interest else False,
        "quiz_three": len(quiz) == 3,
        "quiz_always_true": sum(always_true(q) for q in quiz_dicts),
        "quiz_answers_in_choices": all(not q.choices or q.answer in q.choices for q in quiz),
        "quiz_cited": all(q.citation in citation_ids for q in quiz),
        "section": lesson.topic.title, "module_id": lesson.topic.module_id,
        "words": len(narration.split()),
    }


def eval_tenant(tag: str = ""):
    """The eval's own district, school and one student per grade 6-12 (idempotent); `tag` gives a
    separate set of students, so a tuning run never disturbs a measurement run."""
    from accounts.models import User  # noqa: PLC0415 - the script sets Django up first
    from accounts.privacy.selectors import has_consent  # noqa: PLC0415 - the script sets Django up first
    from accounts.privacy.services import record_consent  # noqa: PLC0415 - the script sets Django up first
    from schools.models import District, School  # noqa: PLC0415 - the script sets Django up first

    district, _ = District.objects.get_or_create(slug="vividly-lesson-eval", defaults={
        "name": "Vividly lesson eval", "domain": "lesson-eval.invalid"})
    school, _ = School.objects.get_or_create(district=district, name="Lesson Eval High",
                                             defaults={"domain": "lesson-eval-high.invalid"})
    students = {}
    for grade in range(6, 13):
        email = f"eval.grade{grade}{'.' + tag if tag else ''}@lesson-eval-high.invalid"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, hashlib.sha256(email.encode()).hexdigest(), role="student",
                                            school=school, grade_level=grade, first_name="Eval")
        if not has_consent(user):
            record_consent(student=user, reference="lesson eval")
        students[grade] = user
    return students


def retire_previous(students) -> int:
    """Give the eval students' earlier lessons retired reuse keys so this run writes fresh ones."""
    from content.models import Lesson  # noqa: PLC0415 - the script sets Django up first

    lessons = Lesson.objects.filter(requests__student__in=list(students.values())).exclude(
        reuse_key__startswith="r").distinct()
    count = 0
    for lesson in lessons:
        lesson.reuse_key = "r" + hashlib.sha256(f"eval-retired:{lesson.pk}:{lesson.reuse_key}".encode()).hexdigest()[1:]
        lesson.save(update_fields=["reuse_key"])
        count += 1
    return count


def run_one(item: dict, student, *, script_only: bool, topic_id: int | None = None) -> tuple[dict, object]:
    """One lesson for `item` (about `topic_id` when given, as a student's pick): (row, request or None)."""
    from content import services  # noqa: PLC0415 - the script sets Django up first
    from content.models import Lesson, LessonRequest, RequestStatus  # noqa: PLC0415 - the script sets Django up first
    from content.pipeline import state  # noqa: PLC0415 - the script sets Django up first
    from content.pipeline.stages import run_script  # noqa: PLC0415 - the script sets Django up first
    from content.pipeline.understand import understand  # noqa: PLC0415 - the script sets Django up first

    started = time.perf_counter()
    try:
        request, _ = services.create_lesson_request(student=student, question=item["question"], topic_id=topic_id,
                                                    interest=item["interest"], enforce_quota=False, enqueue=False)
    except services.LessonRequestError as exc:
        return {"status": f"rejected ({exc.code})", "seconds": time.perf_counter() - started}, None
    token = state.INLINE.set(True)
    try:
        understand(request.pk)
        request.refresh_from_db()
        if request.status == RequestStatus.NEEDS_CHOICE and request.choices:  # a student picks the top section
            services.choose_topic(student=student, lesson_request=request, topic_id=request.choices[0]["topic_id"])
            understand(request.pk)
        if script_only:
            request.refresh_from_db()
            if request.lesson_id and request.lesson.stage == Lesson.Stage.SCRIPTING:
                run_script(request.lesson_id)
        else:
            request = services.run_request_inline(request_id=request.pk)
    finally:
        state.INLINE.reset(token)
    request = LessonRequest.objects.get(pk=request.pk)
    seconds = time.perf_counter() - started
    lesson = Lesson.objects.filter(pk=request.lesson_id).first()
    ok = lesson is not None and (lesson.stage == Lesson.Stage.READY or (script_only and lesson.script))
    if not ok:
        return {"status": f"{request.status}: {request.error_code or request.message[:60]}", "seconds": seconds}, None
    return {"status": "ready", "seconds": seconds, "choice": request.status == RequestStatus.NEEDS_CHOICE,
            **score_lesson(item, lesson)}, request


def not_quite(item: dict, student, first, *, script_only: bool) -> dict | None:
    """The student's one "Not quite what you asked?" pick after a lesson that did not answer: of the
    sections the lesson page offers (`other_sections`), the one the question's label names, as a
    student reading the offered titles would pick; None when it was not offered. The request is the
    one `services.student.try_other_section` makes, created here without enqueueing (run inline)."""
    from content.selectors.student import other_sections  # noqa: PLC0415 - the script sets Django up first
    from ingestion.models import Topic  # noqa: PLC0415 - the script sets Django up first

    offered = {c["topic_id"] for c in other_sections(first)}
    picked = Topic.objects.filter(pk__in=offered, module_id__in=item["sections"]).values_list("pk", flat=True).first()
    if picked is None:
        return None
    row, _ = run_one(item, student, script_only=script_only, topic_id=picked)
    return row


def summary(rows: list[dict], grades: dict[str, int]) -> dict:
    n = len(rows)
    made = [r for r in rows if r["status"] == "ready"]
    factual = sum(r["factual"] for r in made)
    in_band = [r for r in made if r["reading_grade"] is not None and abs(r["reading_grade"] - grades[r["id"]]) <= 2]
    seconds = [r["seconds"] for r in made]
    return {
        "questions": n, "lessons": len(made),
        "answers_question": sum(r["answered"] for r in made) / n if n else 0,
        "answers_in_first_90_words": sum(r["answered_early"] for r in made) / n if n else 0,
        "answers_question_stemmed": sum(r["answered_stemmed"] for r in made) / n if n else 0,
        "answers_in_first_90_words_stemmed": sum(r["answered_early_stemmed"] for r in made) / n if n else 0,
        "factual_sentences_cited": sum(r["cited"] for r in made) / factual if factual else 0,
        "reading_grade_median": statistics.median(r["reading_grade"] for r in made) if made else None,
        "reading_grade_gap_median": statistics.median(r["reading_grade"] - grades[r["id"]] for r in made) if made else None,
        "reading_within_2_grades": len(in_band) / len(made) if made else 0,
        "reading_at_most_2_above": sum(1 for r in made if r["reading_grade"] is not None
                                       and r["reading_grade"] <= grades[r["id"]] + 2) / len(made) if made else 0,
        "interest_beyond_hook": sum(r["interest_beyond_hook"] for r in made) / len(made) if made else 0,
        "quiz_three_questions": sum(r["quiz_three"] for r in made) / len(made) if made else 0,
        "quiz_always_true_items": sum(r["quiz_always_true"] for r in made),
        "quiz_answers_among_choices": sum(r["quiz_answers_in_choices"] for r in made) / len(made) if made else 0,
        "quiz_explanations_cited": sum(r["quiz_cited"] for r in made) / len(made) if made else 0,
        "answers_after_one_pick": sum(r["answered"] or bool(r.get("picked", {}).get("answered")) for r in made) / n
        if n else 0,
        "ready_seconds_median": statistics.median(seconds) if seconds else None,
        "ready_seconds_max": max(seconds) if seconds else None,
    }


def print_summary(name: str, figures: dict) -> None:
    def pct(key):
        return f"{100 * figures[key]:.0f}%"

    print(f"\n== {name}: {figures['questions']} questions, {figures['lessons']} lessons made")
    print(f"  answers its question (all concepts in transcript) : {pct('answers_question')}")
    print(f"  ... within the first {EARLY_WORDS} words                  : {pct('answers_in_first_90_words')}")
    print(f"  ... both with stemmed matching (conserv~conservation): {pct('answers_question_stemmed')}, "
          f"{pct('answers_in_first_90_words_stemmed')}")
    print(f"  ... or after one 'Not quite?' pick of an offered section: {pct('answers_after_one_pick')}")
    print(f"  factual sentences cited                           : {pct('factual_sentences_cited')}")
    if figures["reading_grade_median"] is not None:
        print(f"  reading grade median (gap to student's grade)     : {figures['reading_grade_median']:.1f} "
              f"({figures['reading_grade_gap_median']:+.1f}); within 2 grades: {pct('reading_within_2_grades')}, "
              f"at most 2 above: {pct('reading_at_most_2_above')}")
    print(f"  interest present beyond the hook                  : {pct('interest_beyond_hook')}")
    print(f"  quiz: 3 questions {pct('quiz_three_questions')}, always-true items {figures['quiz_always_true_items']}, "
          f"answers among choices {pct('quiz_answers_among_choices')}, explanations cited "
          f"{pct('quiz_explanations_cited')}")
    if figures["ready_seconds_median"] is not None:
        print(f"  time to ready: median {figures['ready_seconds_median']:.1f} s, max {figures['ready_seconds_max']:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    parser.add_argument("--script-only", action="store_true", help="stop after scripting (fast; no time to ready)")
    parser.add_argument("--only", nargs="*", help="question ids to run")
    parser.add_argument("--tag", default="", help="use a separate set of eval students (e.g. for tuning runs)")
    parser.add_argument("--book", help="only this book's questions (physics, chemistry-2e, biology-2e)")
    parser.add_argument("--transcripts", nargs="*", default=[], help="print the full transcript of these ids")
    parser.add_argument("--json", type=Path, help="write per-question dev rows and both summaries here")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="the question set (default: bench/data/lesson_eval.json; see lesson_eval_more.json)")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per dev question")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings  # noqa: PLC0415 - the script sets Django up first

    if not settings.EXTERNAL_DATABASE:
        from vividly import devservices  # noqa: PLC0415 - the script sets Django up first

        devservices.start_all(settings)
    items = json.loads(args.data.read_text())["questions"]
    if args.split != "all":
        items = [q for q in items if q["split"] == args.split]
    if args.only:
        items = [q for q in items if q["id"] in args.only]
    if args.book:
        items = [q for q in items if q["book"] == args.book]
    students = eval_tenant(args.tag)
    retired = retire_previous(students)
    print(f"{len(items)} questions; retired {retired} earlier eval lessons; writer "
          f"{settings.LESSON_GENERATOR_VERSION}")
    rows: list[dict] = []
    for item in items:
        row, request = run_one(item, students[item["grade"]], script_only=args.script_only)
        lesson = request.lesson if request is not None else None
        if request is not None and not row["answered"]:
            row["picked"] = not_quite(item, students[item["grade"]], request, script_only=args.script_only) or {}
        row = {"id": item["id"], "split": item["split"], **row}
        rows.append(row)
        if args.verbose and item["split"] == "dev":
            flag = "ok " if row.get("answered") else "-- "
            print(f"{flag}{item['id']} {row['status']:<8} {row['seconds']:5.1f}s "
                  f"grade {row.get('reading_grade')} q={item['question'][:60]!r} → {row.get('section', '')[:40]} "
                  f"missing={row.get('missing')}"
                  + (f" | picked → {row['picked'].get('section', '')[:30]}: {'ok' if row['picked'].get('answered') else '--'}"
                     if row.get("picked") else ""), flush=True)
        if lesson is not None and item["id"] in args.transcripts:
            print(f"\n--- {item['id']} ({item['interest']}, grade {item['grade']}): {item['question']}\n"
                  f"{lesson.title}\n\n{lesson.transcript}\n\nQuiz:")
            for q in lesson.quiz_questions.order_by("index"):
                print(f"  {q.index}. {q.prompt}\n     choices: {q.choices}\n     answer: {q.answer}\n"
                      f"     why: {q.explanation}")
            print("---\n", flush=True)
    grades = {q["id"]: q["grade"] for q in items}
    figures = {}
    for split in ("dev", "heldout"):
        chosen = [r for r in rows if r["split"] == split]
        if chosen:
            figures[split] = summary(chosen, grades)
            print_summary(split, figures[split])
    if args.json:
        args.json.write_text(json.dumps({"summary": figures, "dev_rows": [r for r in rows if r["split"] == "dev"]},
                                        indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
