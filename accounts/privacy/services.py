"""Write side of privacy (issue 5): access audit, consent, soft/hard deletion, exports, retention
and moderation escalation. Keyword-only service functions; tasks.py wraps the long-running ones."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage, storages
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import models, transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts.models import Invitation, SecurityEvent, User, UserSession
from accounts.sessions import end_sessions
from schools.tenancy import Role
from vividly.client_ip import client_ip

from . import registry, selectors
from .logging import add_pii_terms
from .models import (
    AccessKind,
    ConsentRecord,
    DataExport,
    DeletionCertificate,
    DistrictPrivacySettings,
    RetentionRun,
    StudentDataAccess,
    grace_days,
)
from .tasks import build_export

logger = logging.getLogger(__name__)

STAFF_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN)


# --- access audit -------------------------------------------------------------------------------

def _endpoint(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name[:200]
    return (getattr(request, "path", "") or "")[:200]


def _protect_terms(students: list) -> None:
    """Add the students' names/emails to the PII terms scrubbed from logs and Sentry for this request."""

    terms = []
    for student in students:
        terms += [student.email, student.first_name, student.last_name, student.get_full_name()]
    add_pii_terms(terms)


def record_student_access(request, student, what: str, *, actor=None) -> int:
    """Record that a staff member viewed/exported a student's (or several students') data.

    `student` is one User or an iterable of them; rows are written only for staff actors looking at
    students (a student viewing their own data is not an access). Returns the rows written.
    """
    actor = actor or getattr(request, "user", None)
    students = [student] if not isinstance(student, Iterable) or hasattr(student, "pk") else list(student)
    students = [s for s in students if s is not None and getattr(s, "role", None) == Role.STUDENT]
    if students:
        _protect_terms(students)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return 0
    if not (actor.is_superuser or actor.role in STAFF_ROLES):
        return 0
    rows = [StudentDataAccess(
        actor=actor, actor_role="superuser" if actor.is_superuser else actor.role, student=s,
        district_id=s.district_id, school_id=s.school_id, what=what, endpoint=_endpoint(request),
        method=(getattr(request, "method", "") or "")[:8], ip_address=client_ip(request),
    ) for s in students if s.pk != actor.pk]
    StudentDataAccess.objects.bulk_create(rows)
    return len(rows)


# --- age and consent ----------------------------------------------------------------------------

class ConsentRequired(Exception):
    """The student may not ask for lessons (yet); `message` is for the student."""

    code = "consent_required"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


CONSENT_MESSAGE = ("Your school needs to confirm permission before you can ask for lessons. "
                   "Please ask your teacher.")


def can_request_lessons(student) -> tuple[bool, str]:
    """(allowed, reason): under-13 students need a recorded, unrevoked school consent."""
    if getattr(student, "deleted_at", None) is not None or not student.is_active:
        return False, "account_inactive"
    if selectors.is_under_13(student) and not selectors.has_consent(student):
        return False, "consent_required"
    return True, ""


def ensure_can_request_lessons(student) -> None:
    """Raise ConsentRequired when not allowed (content turns it into a request error the student sees)."""
    allowed, reason = can_request_lessons(student)
    if not allowed:
        raise ConsentRequired(CONSENT_MESSAGE if reason == "consent_required"
                              else "This account can't request lessons.")


def record_consent(*, student, actor=None, method: str = ConsentRecord.Method.SCHOOL,
                   reference: str = "") -> ConsentRecord:
    return ConsentRecord.objects.create(student=student, district_id=student.district_id, method=method,
                                        recorded_by=actor, reference=reference[:120])


def revoke_consent(*, student) -> int:
    return ConsentRecord.objects.filter(student=student, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- soft delete, restore, erase ----------------------------------------------------------------

class DeletionError(Exception):
    pass


def soft_delete_student(*, student, actor=None):
    """Start the recovery window: the account is deactivated (no login, JWTs revoked) but kept."""


    if student.role != Role.STUDENT:
        raise DeletionError("Only student accounts are deleted this way.")
    now = timezone.now()
    with transaction.atomic():
        student.deleted_at = student.deleted_at or now
        student.is_active = False
        student.token_version = (student.token_version or 0) + 1
        student.tokens_revoked_at = now
        student.save(update_fields=["deleted_at", "is_active", "token_version", "tokens_revoked_at", "updated_at"])
        keys = list(UserSession.objects.filter(user=student).values_list("session_key", flat=True))
        end_sessions(keys)
    logger.info("student soft-deleted", extra={"user_id": student.pk, "actor_id": getattr(actor, "pk", None)})
    return student


def restore_student(*, student, actor=None):
    """Undo a soft delete inside the recovery window."""
    if student.deleted_at is None:
        raise DeletionError("This account is not deleted.")
    student.deleted_at = None
    student.is_active = True
    student.save(update_fields=["deleted_at", "is_active", "updated_at"])
    logger.info("student restored", extra={"user_id": student.pk, "actor_id": getattr(actor, "pk", None)})
    return student


def _merge(counts: dict[str, int], more: dict[str, int]) -> None:
    for label, n in more.items():
        if n:
            counts[label] = counts.get(label, 0) + n


def erase_student(*, student) -> DeletionCertificate:
    """Hard delete: the account and every row about the student; own-only lessons and their media.

    Lessons other students received (or a teacher pinned) are kept, dissociated (the student's
    requests, progress and answers are deleted). Security audit rows are kept, pseudonymised.
    """


    pseudonym = selectors.pseudonym_for(student.pk)
    files: list[str] = []
    kept = 0
    export_files = [e.file_name for e in DataExport.objects.filter(student=student) if e.file_name]
    email = student.email
    counts: dict[str, int] = {}
    pseudonymised: dict[str, int] = {}
    with transaction.atomic():
        # security audit: kept (7 years) but pseudonymised
        security = SecurityEvent.objects.filter(
            models.Q(target=student) | models.Q(actor=student) | models.Q(target_identifier__iexact=email))
        pseudonymised["accounts.SecurityEvent"] = security.update(
            target=None, target_identifier="", user_agent="", detail={"pseudonym": pseudonym})
        for owner in registry.owners():  # each app's rows that would outlive the account (issue 16)
            if owner.erase:
                erased = owner.erase(student)
                _merge(counts, erased.rows)
                files += erased.files
                kept += erased.kept
        # Staff alerts about the student go with their safety events and requests (by foreign key,
        # never by matching names, which would hit other students' alerts). Invitations: the one the
        # account came from, and this district's to the address (other districts' are theirs).
        _merge(counts, Invitation.objects.filter(
            models.Q(user=student) | models.Q(email__iexact=email, district_id=student.district_id)).delete()[1])
        for axes_model in (AccessAttempt, AccessFailureLog, AccessLog):
            _merge(counts, axes_model.objects.filter(username__iexact=email).delete()[1])
        user_type = ContentType.objects.get_for_model(User)
        _merge(counts, LogEntry.objects.filter(content_type=user_type, object_id=str(student.pk)).delete()[1])
        keys = list(UserSession.objects.filter(user=student).values_list("session_key", flat=True))
        _merge(counts, end_sessions(keys)[1])
        _merge(counts, OutstandingToken.objects.filter(user=student).delete()[1])
        district_id, role, soft_deleted_at = student.district_id, student.role, student.deleted_at
        _merge(counts, student.delete()[1])
        certificate = DeletionCertificate.objects.create(
            pseudonym=pseudonym, district_id=district_id, role=role, soft_deleted_at=soft_deleted_at,
            counts=counts, media_files_deleted=len(files), shared_lessons_kept=kept,
            pseudonymised={k: v for k, v in pseudonymised.items() if v})
        transaction.on_commit(lambda: _delete_files(files, export_files))
    logger.info("student erased", extra={"pseudonym": pseudonym, "rows": sum(counts.values()), "files": len(files)})
    return certificate


def _delete_files(media: list[str], exports: list[str]) -> None:
    for name in media:
        with contextlib.suppress(FileNotFoundError, OSError):
            default_storage.delete(name)
    store = export_storage()
    for name in exports:
        with contextlib.suppress(FileNotFoundError, OSError):
            store.delete(name)


def erase_due_students(*, now=None) -> list[DeletionCertificate]:
    """Erase every student whose soft delete is older than the recovery window (beat task)."""

    now = now or timezone.now()
    due = selectors.soft_deleted_students().filter(deleted_at__lte=now - timedelta(days=grace_days()))
    return [erase_student(student=student) for student in due]


# --- exports ------------------------------------------------------------------------------------

def export_storage():
    """Private storage for export ZIPs (never under MEDIA_ROOT, never publicly served)."""
    return storages["privacy_exports"]


def request_export(*, actor, student=None, school=None, include_media: bool = False, request=None) -> DataExport:
    """Queue an export of one student or one school (district admins/superusers of that district)."""
    if student is None and school is None:
        raise ValueError("Export a student or a school.")
    district_id = (student or school).district_id
    if not (actor.is_superuser or (actor.role == Role.DISTRICT_ADMIN and actor.district_id == district_id)):
        raise PermissionError("Only the district's admins can export student data.")
    export = DataExport.objects.create(requested_by=actor, district_id=district_id, student=student, school=school,
                                       include_media=include_media)
    if student is not None:
        record_student_access(request, student, AccessKind.EXPORT, actor=actor)
    else:

        record_student_access(request, User.objects.filter(school=school, role=Role.STUDENT), AccessKind.EXPORT,
                              actor=actor)

    transaction.on_commit(lambda: build_export.delay(export.pk))
    return export


def run_export(*, export_id: int) -> DataExport:
    """Build the ZIP for an export row (called by the Celery task); progress is saved as it goes."""
    from .exporting import write_export_zip  # noqa: PLC0415 - import cycle: accounts.privacy.exporting → accounts.privacy.services at module level

    export = DataExport.objects.get(pk=export_id)
    export.status, export.progress = DataExport.Status.RUNNING, 0
    export.save(update_fields=["status", "progress"])
    try:
        name, size = write_export_zip(export)
    except Exception as exc:
        export.status, export.error = DataExport.Status.FAILED, exc.__class__.__name__
        export.save(update_fields=["status", "error"])
        raise
    now = timezone.now()
    export.status, export.progress, export.file_name, export.size_bytes = DataExport.Status.READY, 100, name, size
    export.finished_at, export.expires_at = now, now + timedelta(seconds=settings.PRIVACY_EXPORT_LINK_TTL)
    export.save(update_fields=["status", "progress", "file_name", "size_bytes", "finished_at", "expires_at"])
    return export


_SIGNER_SALT = "vividly.privacy.export"


def download_token(export: DataExport) -> str:
    return TimestampSigner(salt=_SIGNER_SALT).sign(str(export.pk))


def export_from_token(token: str) -> DataExport | None:
    """The export a download token names, if the token is authentic and not expired."""
    try:
        pk = TimestampSigner(salt=_SIGNER_SALT).unsign(token, max_age=settings.PRIVACY_EXPORT_LINK_TTL)
    except (BadSignature, SignatureExpired):
        return None
    return DataExport.objects.filter(pk=pk).first()


# --- retention ----------------------------------------------------------------------------------

def _purge_by_age(queryset, field: str, key: str, district_path: str | None, now) -> int:
    """Delete rows older than the schedule, honouring per-district overrides (shorter only)."""
    default_days = selectors.retention_days(key)
    total = 0
    overridden = []
    if district_path:
        for row in DistrictPrivacySettings.objects.exclude(retention_overrides={}):
            if key in row.retention_overrides:
                days = selectors.retention_days(key, row.district_id)
                overridden.append(row.district_id)
                total += queryset.filter(**{district_path: row.district_id,
                                            f"{field}__lt": now - timedelta(days=days)}).delete()[0]
    if default_days is not None:
        rest = queryset.filter(**{f"{field}__lt": now - timedelta(days=default_days)})
        if overridden:
            rest = rest.exclude(**{f"{district_path}__in": overridden})
        total += rest.delete()[0]
    return total


def purge_hourly(*, now=None) -> RetentionRun:
    """Tokens and short-lived files: expired/revoked invitations, expired sessions and JWTs, expired exports."""


    now = now or timezone.now()
    purged = {
        "invitation_tokens": Invitation.objects.filter(accepted_at__isnull=True).filter(
            models.Q(expires_at__lt=now) | models.Q(revoked_at__isnull=False)).delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "jwt_tokens": OutstandingToken.objects.filter(expires_at__lt=now).delete()[0],
        "data_exports": _purge_exports(now),
    }
    return _report("privacy.purge_hourly", now, purged)


def _purge_exports(now) -> int:
    expired = DataExport.objects.filter(
        models.Q(expires_at__lt=now) | models.Q(created_at__lt=now - timedelta(
            days=selectors.retention_days("data_exports")))).exclude(status=DataExport.Status.EXPIRED)
    store = export_storage()
    count = 0
    for export in expired:
        if export.file_name:
            with contextlib.suppress(FileNotFoundError, OSError):
                store.delete(export.file_name)
        export.status, export.file_name = DataExport.Status.EXPIRED, ""
        export.save(update_fields=["status", "file_name"])
        count += 1
    return count


def purge_daily(*, now=None) -> RetentionRun:
    """Everything on a days-long schedule (RETENTION_SCHEDULE), per-district overrides applied."""


    now = now or timezone.now()
    purged = {
        "access_audit": _purge_by_age(StudentDataAccess.objects.all(), "created_at", "access_audit",
                                      "district_id", now),
        "security_audit": _purge_by_age(SecurityEvent.objects.all(), "created_at", "security_audit", None, now),
        "login_attempts": (_purge_by_age(AccessAttempt.objects.all(), "attempt_time", "login_attempts", None, now)
                           + _purge_by_age(AccessFailureLog.objects.all(), "attempt_time", "login_attempts",
                                           None, now)),
        "accepted_invitations": _purge_by_age(Invitation.objects.filter(accepted_at__isnull=False), "accepted_at",
                                              "accepted_invitations", "district_id", now),
    }
    for owner in registry.owners():  # each app purges its own rows (issue 16)
        if owner.purge_daily:
            purged.update(owner.purge_daily(now, _purge_by_age))
    return _report("privacy.purge_daily", now, purged)


def _report(task: str, now, purged: dict[str, int]) -> RetentionRun:
    run = RetentionRun.objects.create(task=task, started_at=now, purged=purged)
    logger.info("retention purge", extra={"task": task, "purged": purged})
    return run
