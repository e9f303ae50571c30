"""The export ZIP: for each student, curated JSON + CSV files and one file per model that holds rows
about them (found by walking every foreign key to the user model, so new models are never missed)."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

from schools.tenancy import Role
from vividly import spreadsheets

#: Fields never exported (secrets, not data about the student).
SECRET_FIELDS = frozenset({"password", "token_hash", "session_key", "session_data", "token_version",
                           "tokens_revoked_at"})
#: FKs that point at the user as the *actor* (staff), not as the data subject.
ACTOR_FIELDS = frozenset({"actor", "recorded_by", "requested_by", "invited_by", "reviewed_by", "created_by",
                          "dismissed_by", "pinned_by"})


def user_links() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose FK/O2O/M2M points at the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [(model, field) for model in apps.get_models(include_auto_created=True)
            for field in model._meta.get_fields()
            if (getattr(field, "concrete", False) or field.many_to_many) and field.is_relation
            and not field.auto_created and field.related_model is user_model]


def subject_rows(student) -> dict[str, list[dict]]:
    """{app_label.Model: [row dicts]} for every row about the student (as the data subject)."""
    out: dict[str, list[dict]] = {}
    for model, field in user_links():
        if field.name in ACTOR_FIELDS or model._meta.auto_created:
            continue
        rows = model._base_manager.filter(**{field.name: student}).distinct()
        dicts = [_row_dict(row) for row in rows]
        if dicts:
            out.setdefault(model._meta.label, []).extend(dicts)
    return out


def _row_dict(row: models.Model) -> dict:
    data = model_to_dict(row)
    data["id"] = row.pk
    for field in row._meta.concrete_fields:  # model_to_dict skips non-editable fields
        data.setdefault(field.attname if field.is_relation else field.name, getattr(row, field.attname))
    for key in list(data):
        if key in SECRET_FIELDS:
            data.pop(key)
        elif isinstance(data[key], list) and data[key] and isinstance(data[key][0], models.Model):
            data[key] = [item.pk for item in data[key]]
    return data


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    headers = list(dict.fromkeys(key for row in rows for key in row))
    writer = spreadsheets.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v, cls=DjangoJSONEncoder) if isinstance(v, dict | list) else v
                         for k, v in row.items()})
    return buffer.getvalue()


def _dump(zf: zipfile.ZipFile, base: str, name: str, rows) -> None:
    zf.writestr(f"{base}/{name}.json", json.dumps(rows, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
    if isinstance(rows, list):
        zf.writestr(f"{base}/{name}.csv", _csv(rows) if rows else "")


def profile(student) -> dict:
    return {
        "id": student.pk, "email": student.email, "first_name": student.first_name, "last_name": student.last_name,
        "role": student.role, "grade_level": student.grade_level, "date_of_birth": student.date_of_birth,
        "district_id": student.district_id, "school_id": student.school_id, "date_joined": student.date_joined,
        "last_login": student.last_login, "deleted_at": student.deleted_at, "is_active": student.is_active,
        "notification_emails_enabled": student.notification_emails_enabled,
        "interests": [{"interest": si.interest.name, "rank": si.rank}
                      for si in student.student_interests.select_related("interest")],
    }


def lessons_received(student) -> list[dict]:
    """Every lesson the student asked for or watched, with script, transcript, captions and media links."""
    from content.models import Lesson, LessonProgress, LessonRequest

    ids = set(LessonRequest.objects.filter(student=student, lesson__isnull=False).values_list("lesson_id", flat=True))
    ids |= set(LessonProgress.objects.filter(student=student).values_list("lesson_id", flat=True))
    return [{
            "id": lesson.pk, "title": lesson.title, "topic_id": lesson.topic_id, "interest": lesson.interest,
            "grade_band": lesson.grade_band, "script": lesson.script, "transcript": lesson.transcript,
            "citations": lesson.citations, "video_url": lesson.video_url, "captions_url": lesson.captions_url,
            "poster_url": lesson.poster_url, "transcript_url": lesson.transcript_url,
            "scenes": [{"index": s.index, "title": s.title, "narration": s.narration, "image_url": s.image_url,
                        "audio_url": s.audio_url} for s in lesson.scenes.all()],
            "quiz": [{"index": q.index, "prompt": q.prompt, "choices": q.choices, "answer": q.answer,
                      "explanation": q.explanation} for q in lesson.quiz_questions.all()],
    } for lesson in Lesson.objects.filter(pk__in=ids).prefetch_related("scenes", "quiz_questions")]


def _add_media(zf: zipfile.ZipFile, base: str, lesson_ids: list[int]) -> None:
    for lesson_id in lesson_ids:
        folder = f"lessons/{lesson_id}"
        with contextlib.suppress(FileNotFoundError, NotImplementedError, OSError):
            _dirs, files = default_storage.listdir(folder)
            for name in files:
                with default_storage.open(f"{folder}/{name}", "rb") as fh:
                    zf.writestr(f"{base}/media/lesson-{lesson_id}/{name}", fh.read())


def write_student(zf: zipfile.ZipFile, student, base: str, *, include_media: bool) -> None:
    from content.models import QuizAttempt

    _dump(zf, base, "profile", profile(student))
    lessons = lessons_received(student)
    _dump(zf, base, "lessons_received", lessons)
    _dump(zf, base, "quiz_answers", [
        {"lesson_id": a.lesson_id, "question": a.question.prompt, "chosen": a.chosen, "is_correct": a.is_correct,
         "kind": a.kind, "answered_at": a.answered_at}
        for a in QuizAttempt.objects.filter(student=student).select_related("question")])
    for label, rows in sorted(subject_rows(student).items()):
        _dump(zf, base, f"records/{label}", rows)
    if include_media:
        _add_media(zf, base, [lesson["id"] for lesson in lessons])


def write_export_zip(export, *, on_progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Write the export's ZIP to the private export storage; returns (name, size in bytes)."""
    from accounts.models import User

    from .services import export_storage

    students = ([export.student] if export.student_id
                else list(User.objects.filter(school_id=export.school_id, role=Role.STUDENT).order_by("pk")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", (
            "Vividly data export. One folder per student: profile, lessons received (scripts, captions, "
            "quiz), quiz answers, and records/ with every row held about the student (JSON and CSV).\n"
            f"Media: {'included under media/' if export.include_media else 'by link (see lessons_received)'}.\n"))
        if export.school_id:
            zf.writestr("school.json", json.dumps({"school_id": export.school_id, "students": len(students)}))
        for n, student in enumerate(students, 1):
            write_student(zf, student, f"students/{student.pk}", include_media=export.include_media)
            percent = int(100 * n / max(len(students), 1))
            type(export).objects.filter(pk=export.pk).update(progress=min(percent, 99))
            if on_progress:
                on_progress(percent)
    size = buffer.tell()
    buffer.seek(0)
    name = export_storage().save(f"export-{export.pk}-{uuid.uuid4().hex}.zip", File(buffer))
    return name, size
