"""The export ZIP: for each student, a profile, the lessons they received and one section per kind of
record held about them — exported by **allow-list** (`SECTIONS`: model → columns), never by walking
the model graph, so a new model or field is never exported by accident.

Every foreign key to the user model must be either the subject of a section or named in
`NOT_EXPORTED` with the reason (accounts/tests/test_privacy_export.py fails otherwise), so a new
kind of record about students is never forgotten silently either.
"""

from __future__ import annotations

import contextlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from schools.tenancy import Role
from vividly import spreadsheets


@dataclass(frozen=True)
class Section:
    """One kind of record about the student: `records/<key>.json/.csv` in the ZIP."""

    key: str  # file name
    title: str  # what the README calls it
    model: str  # app_label.Model
    subject: str  # the field that names the student (FK or M2M to the user)
    columns: dict[str, str]  # exported column → attribute path ("classroom.school.name")
    order_by: tuple[str, ...] = ("pk",)

    def related(self) -> list[str]:
        """select_related paths for the dotted columns (every step but the last is a relation)."""
        return sorted({"__".join(path.split(".")[:-1]) for path in self.columns.values() if "." in path})


SECTIONS: tuple[Section, ...] = (
    Section("interests", "Interests the student ranked", "accounts.StudentInterest", "student",
            {"interest": "interest.name", "rank": "rank"}, ("rank",)),
    Section("classes", "Classes the student is enrolled in", "schools.Enrollment", "student",
            {"class": "classroom.name", "school": "classroom.school.name", "joined_at": "joined_at"}),
    Section("assignments", "Assignments given to the student by name", "content.Assignment", "students",
            {"class": "classroom.name", "topic": "topic.title", "due_at": "due_at", "note": "note",
             "created_at": "created_at"}),
    Section("dismissed_signals", "Needs-help signals a teacher reviewed and dismissed", "teaching.SignalDismissal",
            "student", {"class": "classroom.name", "kind": "kind", "dismissed_at": "dismissed_at"}),
    Section("lesson_requests", "Questions asked and lessons requested", "content.LessonRequest", "student",
            {"id": "pk", "question": "question", "topic": "topic.title", "interest": "interest_name",
             "grade_level": "grade_level", "grade_band": "grade_band", "status": "status", "message": "message",
             "lesson_id": "lesson_id", "was_reused": "was_reused", "created_at": "created_at",
             "finished_at": "finished_at"}, ("created_at", "pk")),
    Section("lesson_progress", "Progress through each lesson", "content.LessonProgress", "student",
            {"lesson_id": "lesson_id", "lesson": "lesson.title", "position_seconds": "position_seconds",
             "watched_seconds": "watched_seconds", "watched_ranges": "watched_ranges",
             "max_milestone": "max_milestone", "started_at": "started_at", "last_event_at": "last_event_at",
             "completed_at": "completed_at", "completed_by": "completed_by"}),
    Section("player_events", "Video player events (play, pause, seek...)", "content.ProgressEvent", "student",
            {"lesson_id": "lesson_id", "kind": "kind", "position_seconds": "position_seconds",
             "from_seconds": "from_seconds", "milestone": "milestone", "playback_rate": "playback_rate",
             "client_time": "client_time", "received_at": "received_at"}, ("received_at", "pk")),
    Section("quiz_answers", "Quiz answers", "content.QuizAttempt", "student",
            {"lesson_id": "lesson_id", "question": "question.prompt", "kind": "kind", "chosen": "chosen",
             "is_correct": "is_correct", "answered_at": "answered_at"}, ("answered_at", "pk")),
    Section("requizzes", "Retention check-ins a few days after a lesson", "content.ReQuiz", "student",
            {"lesson_id": "lesson_id", "due_at": "due_at", "released_at": "released_at",
             "completed_at": "completed_at", "correct": "correct", "total": "total"}),
    Section("problem_reports", "Problems the student reported", "content.ProblemReport", "student",
            {"lesson_id": "lesson_id", "reason": "reason", "details": "details", "created_at": "created_at",
             "resolved_at": "resolved_at"}),
    Section("notifications", "Notifications sent to the student", "content.Notification", "user",
            {"kind": "kind", "title": "title", "body": "body", "url": "url", "read_at": "read_at",
             "created_at": "created_at"}),
    Section("safety_events", "Requests refused by the safety check", "content.SafetyEvent", "student",
            {"category": "category", "excerpt": "excerpt", "teacher_notified": "teacher_notified",
             "created_at": "created_at"}),
    Section("consent", "Parental/school consent records", "accounts.ConsentRecord", "student",
            {"method": "method", "reference": "reference", "recorded_at": "recorded_at",
             "revoked_at": "revoked_at"}),
    Section("access_log", "Staff who viewed or exported the student's data", "accounts.StudentDataAccess", "student",
            {"staff_role": "actor_role", "what": "what", "page": "endpoint", "created_at": "created_at"},
            ("created_at", "pk")),
    Section("security_events", "Sign-ins and other account security events", "accounts.SecurityEvent", "target",
            {"kind": "kind", "ip_address": "ip_address", "user_agent": "user_agent", "created_at": "created_at"},
            ("created_at", "pk")),
    Section("devices", "Signed-in browsers (devices list)", "accounts.UserSession", "user",
            {"user_agent": "user_agent", "ip_address": "ip_address", "created_at": "created_at",
             "last_seen_at": "last_seen_at"}),
    Section("invitation", "The invitation the account was created from", "accounts.Invitation", "user",
            {"role": "role", "school": "school.name", "class": "classroom.name", "created_at": "created_at",
             "accepted_at": "accepted_at"}),
    Section("data_exports", "Earlier exports of this data", "accounts.DataExport", "student",
            {"status": "status", "include_media": "include_media", "created_at": "created_at",
             "finished_at": "finished_at"}),
    Section("feature_switches", "Features switched on or off for this account", "flags.FlagOverride", "user",
            {"feature": "flag.name", "active": "active", "updated_at": "updated_at"}),
)

_STAFF = "points at the staff member who acted, not at the data subject"
#: Foreign keys to the user model that are deliberately not exported, with the reason.
NOT_EXPORTED: dict[str, str] = {
    "token_blacklist.OutstandingToken.user": "API refresh tokens and their ids are credentials",
    "admin.LogEntry.user": "the admin change log of staff; students never use the admin",
    "accounts.User_groups.user": "admin permission groups (staff configuration)",
    "accounts.User_user_permissions.user": "admin permissions (staff configuration)",
    "accounts.SecurityEvent.actor": f"{_STAFF}; events about the student are exported through `target`",
    "accounts.Invitation.invited_by": _STAFF,
    "accounts.StudentDataAccess.actor": f"{_STAFF}; the access log is exported from the student's side",
    "accounts.ConsentRecord.recorded_by": _STAFF,
    "accounts.DataExport.requested_by": _STAFF,
    "content.ModerationReview.reviewed_by": _STAFF,
    "accounts.DistrictPrivacySettings.safety_escalation_admins": "district staff configuration",
    "accounts.DistrictPrivacySettings_safety_escalation_admins.user": "district staff configuration",
    "schools.Classroom.teachers": "the class's teachers (staff)",
    "schools.Classroom_teachers.user": "the class's teachers (staff)",
    "content.Assignment.created_by": _STAFF,
    "content.Assignment_students.user": "the through table of Assignment.students (exported)",
    "teaching.SignalDismissal.dismissed_by": _STAFF,
    "content.LessonBlock.created_by": _STAFF,
    "content.PinnedLesson.pinned_by": _STAFF,
    "content.Lesson.regenerated_by": _STAFF,
    "flags.Flag.users": "django-waffle's per-user list, unused (per-user switches are FlagOverride rows)",
    "flags.Flag_users.user": "django-waffle's per-user list, unused",
    "flags.FlagAudit.actor": _STAFF,
}


def link_key(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.label}.{field.name}"


def user_links() -> list[tuple[type[models.Model], models.Field]]:
    """Every (model, field) whose FK/O2O/M2M points at the user model (through tables included)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [(model, field) for model in apps.get_models(include_auto_created=True)
            for field in model._meta.get_fields()
            if (getattr(field, "concrete", False) or field.many_to_many) and field.is_relation
            and not field.auto_created and field.related_model is user_model]


def _value(row: models.Model, path: str):
    value = row
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def section_rows(section: Section, student) -> list[dict]:
    """The section's allow-listed columns for every row whose subject is the student."""
    model = apps.get_model(section.model)
    rows = (model._base_manager.filter(**{section.subject: student}).select_related(*section.related())
            .order_by(*section.order_by).distinct())
    return [{column: _value(row, path) for column, path in section.columns.items()} for row in rows]


def _cell(value) -> str:
    """One CSV cell (formula escaping is `spreadsheets.DictWriter`'s job)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return value if isinstance(value, str) else str(value)


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    headers = list(dict.fromkeys(key for row in rows for key in row))
    writer = spreadsheets.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _dump(zf: zipfile.ZipFile, base: str, name: str, rows) -> None:
    zf.writestr(f"{base}/{name}.json", json.dumps(rows, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
    if isinstance(rows, list):
        zf.writestr(f"{base}/{name}.csv", _csv(rows) if rows else "")


def profile(student) -> dict:
    return {
        "id": student.pk, "email": student.email, "first_name": student.first_name, "last_name": student.last_name,
        "role": student.role, "grade_level": student.grade_level, "date_of_birth": student.date_of_birth,
        "district": student.district.name if student.district_id else None,
        "school": student.school.name if student.school_id else None, "date_joined": student.date_joined,
        "last_login": student.last_login, "deleted_at": student.deleted_at, "is_active": student.is_active,
        "notification_emails_enabled": student.notification_emails_enabled,
    }


def lessons_received(student) -> list[dict]:
    """Every lesson the student asked for or watched, with script, transcript, captions and media links.

    Quiz answers and explanations are included only for questions the student has answered (as on
    the lesson page and in the API).
    """
    from content.models import Lesson, LessonProgress, LessonRequest, QuizAttempt

    ids = set(LessonRequest.objects.filter(student=student, lesson__isnull=False).values_list("lesson_id", flat=True))
    ids |= set(LessonProgress.objects.filter(student=student).values_list("lesson_id", flat=True))
    answered = set(QuizAttempt.objects.filter(student=student).values_list("question_id", flat=True))
    return [{
            "id": lesson.pk, "title": lesson.title, "topic": lesson.topic.title, "interest": lesson.interest,
            "grade_band": lesson.grade_band, "transcript": lesson.transcript,
            "citations": lesson.citations, "video_url": lesson.video_url, "captions_url": lesson.captions_url,
            "poster_url": lesson.poster_url, "transcript_url": lesson.transcript_url,
            "scenes": [{"index": s.index, "title": s.title, "narration": s.narration, "image_url": s.image_url,
                        "audio_url": s.audio_url} for s in lesson.scenes.all()],
            "quiz": [{"index": q.index, "prompt": q.prompt, "choices": q.choices,
                      "answer": q.answer if q.pk in answered else None,
                      "explanation": q.explanation if q.pk in answered else None}
                     for q in lesson.quiz_questions.all()],
    } for lesson in Lesson.objects.filter(pk__in=ids).select_related("topic")
        .prefetch_related("scenes", "quiz_questions").order_by("pk")]


def _add_media(zf: zipfile.ZipFile, base: str, lesson_ids: list[int]) -> None:
    for lesson_id in lesson_ids:
        folder = f"lessons/{lesson_id}"
        with contextlib.suppress(FileNotFoundError, NotImplementedError, OSError):
            _dirs, files = default_storage.listdir(folder)
            for name in files:
                with default_storage.open(f"{folder}/{name}", "rb") as fh:
                    zf.writestr(f"{base}/media/lesson-{lesson_id}/{name}", fh.read())


def write_student(zf: zipfile.ZipFile, student, base: str, *, include_media: bool) -> None:
    _dump(zf, base, "profile", profile(student))
    lessons = lessons_received(student)
    _dump(zf, base, "lessons_received", lessons)
    for section in SECTIONS:
        rows = section_rows(section, student)
        if rows:
            _dump(zf, base, f"records/{section.key}", rows)
    if include_media:
        _add_media(zf, base, [lesson["id"] for lesson in lessons])


def _readme(export) -> str:
    sections = "\n".join(f"  records/{s.key}: {s.title}" for s in SECTIONS)
    return ("Vividly data export. One folder per student (students/ID/):\n"
            "  profile: the account\n  lessons_received: lessons asked for or watched (transcript, scenes, "
            "quiz, media links)\n"
            f"{sections}\n"
            "Each record file is JSON and CSV; a file is left out when there is no such record.\n"
            f"Media: {'included under media/' if export.include_media else 'by link (see lessons_received)'}.\n")


def write_export_zip(export, *, on_progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Write the export's ZIP to the private export storage; returns (name, size in bytes)."""
    from accounts.models import User

    from .services import export_storage

    students = ([export.student] if export.student_id
                else list(User.objects.filter(school_id=export.school_id, role=Role.STUDENT).order_by("pk")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", _readme(export))
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
