"""The export ZIP: for each student, a profile, the files apps add (the lessons they received) and one
section per kind of record held about them — exported by **allow-list** (each app's `Section`s in the
privacy registry: model → columns), never by walking the model graph, so a new model or field is
never exported by accident.

Every foreign key to the user model must be either the subject of a section or named in an app's
`not_exported` with the reason (tests/privacy/test_privacy_export.py fails otherwise), so a new kind
of record about students is never forgotten silently either.
"""

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

from accounts.models import User
from schools.tenancy import Role
from vividly import spreadsheets

from . import registry
from .registry import Section
from .services import export_storage


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


def _add_media(zf: zipfile.ZipFile, base: str, student) -> None:
    for owner in registry.owners():
        for path, name in owner.media(student) if owner.media else ():
            with contextlib.suppress(FileNotFoundError, NotImplementedError, OSError), \
                    default_storage.open(name, "rb") as fh:
                zf.writestr(f"{base}/media/{path}", fh.read())


def write_student(zf: zipfile.ZipFile, student, base: str, *, include_media: bool) -> None:
    _dump(zf, base, "profile", profile(student))
    for owner in registry.owners():
        for name, (_title, rows) in owner.files.items():
            _dump(zf, base, name, rows(student))
    for section in registry.sections():
        rows = section_rows(section, student)
        if rows:
            _dump(zf, base, f"records/{section.key}", rows)
    if include_media:
        _add_media(zf, base, student)


def _readme(export) -> str:
    files = "".join(f"  {name}: {title}\n" for owner in registry.owners() for name, (title, _rows) in owner.files.items())
    sections = "\n".join(f"  records/{s.key}: {s.title}" for s in registry.sections())
    return ("Vividly data export. One folder per student (students/ID/):\n"
            f"  profile: the account\n{files}"
            f"{sections}\n"
            "Each record file is JSON and CSV; a file is left out when there is no such record.\n"
            f"Media: {'included under media/' if export.include_media else 'by link (see lessons_received)'}.\n")


def write_export_zip(export, *, on_progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Write the export's ZIP to the private export storage; returns (name, size in bytes)."""


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
