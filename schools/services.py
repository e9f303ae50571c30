"""Write side of the teacher tools: classes, roster, invitations, assignments, oversight actions.

Every function is keyword-only and atomic. Callers pass a classroom they fetched through
`schools.selectors.get_class_for(user, pk)`, so tenancy is already enforced; the functions
re-check that the actor teaches the class because a service must be safe on its own.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.validators import clean_person_name
from content.models import Assignment, LessonBlock, PinnedLesson
from teaching.models import SignalDismissal, SignalKind

from .models import Classroom, Enrollment, make_join_code
from .tenancy import Role

if TYPE_CHECKING:
    from accounts.models import Interest, User
    from ingestion.models import Topic

logger = logging.getLogger(__name__)

MAX_CSV_ROWS = 500
CSV_PREVIEW_SALT = "schools.invite-csv"
CSV_PREVIEW_MAX_AGE = 60 * 60  # a preview stays confirmable for an hour


def _ensure_teaches(actor: User, classroom: Classroom) -> None:
    if not (actor.is_superuser or classroom.teachers.filter(pk=actor.pk).exists()):
        raise PermissionDenied("Only the class's teachers can change it.")


# --- classes -----------------------------------------------------------------------------------

@transaction.atomic
def create_classroom(*, actor: User, name: str, subject: str, grade_band: str, period: str = "") -> Classroom:
    """Create a class in the teacher's school with the teacher as its first teacher."""
    if actor.role != Role.TEACHER or actor.school_id is None:
        raise PermissionDenied("Only teachers with a school can create classes.")
    classroom = Classroom.objects.create(school_id=actor.school_id, name=name.strip(), subject=subject,
                                         grade_band=grade_band, period=period.strip())
    classroom.teachers.add(actor)
    logger.info("classroom created", extra={"actor_id": actor.pk, "classroom_id": classroom.pk})
    return classroom


@transaction.atomic
def update_classroom(*, actor: User, classroom: Classroom, name: str, subject: str, grade_band: str,
                     period: str = "") -> Classroom:
    """Rename or re-describe a class."""
    _ensure_teaches(actor, classroom)
    classroom.name, classroom.subject = name.strip(), subject
    classroom.grade_band, classroom.period = grade_band, period.strip()
    classroom.save(update_fields=["name", "subject", "grade_band", "period", "updated_at"])
    return classroom


@transaction.atomic
def set_archived(*, actor: User, classroom: Classroom, archived: bool) -> Classroom:
    """Archive (hide from the classes list, stop new joins) or restore a class."""
    _ensure_teaches(actor, classroom)
    classroom.is_archived = archived
    classroom.save(update_fields=["is_archived", "updated_at"])
    logger.info("classroom archived" if archived else "classroom restored",
                extra={"actor_id": actor.pk, "classroom_id": classroom.pk})
    return classroom


@transaction.atomic
def regenerate_join_code(*, actor: User, classroom: Classroom) -> str:
    """Replace the join code (e.g. after it leaked); the old code stops working at once."""
    _ensure_teaches(actor, classroom)
    prefix = classroom.join_code.split("-", 1)[0]
    while True:
        code = make_join_code(prefix)
        if not Classroom.objects.filter(join_code=code).exists():
            break
    classroom.join_code = code
    classroom.save(update_fields=["join_code", "updated_at"])
    return code


@transaction.atomic
def add_co_teacher(*, actor: User, classroom: Classroom, email: str) -> User:
    """Add another teacher of the same school as a co-teacher."""
    from accounts.models import User

    _ensure_teaches(actor, classroom)
    teacher = User.objects.filter(email__iexact=email.strip(), role=Role.TEACHER, is_active=True,
                                  school_id=classroom.school_id).first()
    if teacher is None:
        raise ValidationError({"email": "No active teacher with that email in this school."})
    classroom.teachers.add(teacher)
    return teacher


@transaction.atomic
def remove_co_teacher(*, actor: User, classroom: Classroom, teacher: User) -> None:
    """Remove a co-teacher; a class always keeps at least one teacher."""
    _ensure_teaches(actor, classroom)
    if classroom.teachers.count() <= 1:
        raise ValidationError("A class needs at least one teacher.")
    classroom.teachers.remove(teacher)


# --- roster and invitations --------------------------------------------------------------------

@dataclass(frozen=True)
class InviteRow:
    email: str
    first_name: str = ""
    last_name: str = ""


@dataclass
class InviteOutcome:
    invited: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


@dataclass
class CsvRowResult:
    line: int
    email: str
    first_name: str
    last_name: str
    errors: list[str]


@dataclass
class CsvPreview:
    rows: list[CsvRowResult]
    file_errors: list[str]

    @property
    def valid_rows(self) -> list[CsvRowResult]:
        return [row for row in self.rows if not row.errors]

    @property
    def error_rows(self) -> list[CsvRowResult]:
        return [row for row in self.rows if row.errors]

    @property
    def is_confirmable(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.error_rows

    def token(self) -> str:
        """A signed list of the validated rows; confirming re-validates them."""
        return signing.dumps([[r.email, r.first_name, r.last_name] for r in self.valid_rows],
                             salt=CSV_PREVIEW_SALT, compress=True)


def _already_enrolled(classroom: Classroom, emails: list[str]) -> set[str]:
    """Which of these addresses are on this class's roster (the teacher's own roster: no secret). One query.

    Nothing else about an address is looked up: whether an account exists, and where, is not the
    inviting teacher's business (issue 15, finding 9); `accounts.services.invite_user` decides.
    """
    return set(Enrollment.objects.filter(classroom=classroom, student__email__in=emails)
               .values_list("student__email", flat=True))


def preview_invite_csv(*, classroom: Classroom, text: str) -> CsvPreview:
    """Validate an invitation CSV (email[, first_name, last_name]) row by row; creates nothing."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in headers:
        return CsvPreview(rows=[], file_errors=["The file needs a header row with an 'email' column."])
    reader.fieldnames = headers
    rows: list[CsvRowResult] = []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_CSV_ROWS:
            return CsvPreview(rows=rows, file_errors=[f"At most {MAX_CSV_ROWS} rows per file."])
        email = (raw.get("email") or "").strip().lower()
        row = CsvRowResult(line=line, email=email, first_name=(raw.get("first_name") or "").strip()[:150],
                           last_name=(raw.get("last_name") or "").strip()[:150], errors=[])
        for label, key in (("First name", "first_name"), ("Last name", "last_name")):
            try:
                setattr(row, key, clean_person_name(getattr(row, key)))
            except ValidationError as exc:
                row.errors.append(f"{label}: {exc.messages[0]}")
        if not email:
            row.errors.append("Email is missing.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append("Not a valid email address.")
        if email and email in seen:
            row.errors.append("Duplicate of an earlier row.")
        seen.add(email)
        rows.append(row)
    if not rows:
        return CsvPreview(rows=[], file_errors=["The file has no rows."])
    already = _already_enrolled(classroom, [r.email for r in rows if not r.errors])
    for row in rows:
        if not row.errors and row.email in already:
            row.errors.append("Already in this class.")
    return CsvPreview(rows=rows, file_errors=[])


def rows_from_token(token: str) -> list[InviteRow]:
    """The rows a preview token carries; raises ValidationError when it's forged or stale."""
    try:
        data = signing.loads(token, salt=CSV_PREVIEW_SALT, max_age=CSV_PREVIEW_MAX_AGE)
    except signing.BadSignature as exc:
        raise ValidationError("This preview has expired; upload the file again.") from exc
    return [InviteRow(email=e, first_name=f, last_name=la) for e, f, la in data]


@transaction.atomic
def invite_students(*, actor: User, classroom: Classroom, rows: list[InviteRow],
                    request=None) -> InviteOutcome:
    """Send each address an invitation to the class (students with an account accept it signed in).

    All-or-nothing: any row that cannot be invited aborts the whole batch with a ValidationError
    listing the rows, so nothing is created for a partly bad list. Nobody is enrolled here.
    """
    from accounts.services import invite_user

    _ensure_teaches(actor, classroom)
    if classroom.is_archived:
        raise ValidationError("This class is archived; restore it to invite students.")
    cleaned: list[InviteRow] = []
    problems: list[str] = []
    for row in rows:
        email = row.email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{row.email or '(blank)'}: not a valid email address.")
            continue
        cleaned.append(InviteRow(email=email, first_name=row.first_name, last_name=row.last_name))
    if problems:
        raise ValidationError(problems)
    already = _already_enrolled(classroom, [r.email for r in cleaned])
    outcome = InviteOutcome()
    for row in cleaned:
        if row.email in already:
            outcome.already.append(row.email)
            continue
        invite_user(actor=actor, email=row.email, role=Role.STUDENT, first_name=row.first_name,
                    last_name=row.last_name, classroom=classroom, request=request)
        outcome.invited.append(row.email)
    logger.info("students invited", extra={"actor_id": actor.pk, "classroom_id": classroom.pk,
                                           "invited": len(outcome.invited)})
    return outcome


@transaction.atomic
def remove_student(*, actor: User, classroom: Classroom, student: User) -> None:
    """Take a student off the class roster (their account and history stay)."""
    _ensure_teaches(actor, classroom)
    Enrollment.objects.filter(classroom=classroom, student=student).delete()
    logger.info("student removed", extra={"actor_id": actor.pk, "classroom_id": classroom.pk,
                                          "student_id": student.pk})


@transaction.atomic
def cancel_invitation(*, actor: User, classroom: Classroom, invitation_pk: int) -> None:
    """Withdraw a pending invitation to this class (its emailed link stops working)."""
    from accounts.models import Invitation

    _ensure_teaches(actor, classroom)
    Invitation.objects.filter(pk=invitation_pk, classroom=classroom, accepted_at__isnull=True,
                              revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- assignments -------------------------------------------------------------------------------

@transaction.atomic
def create_assignment(*, actor: User, classroom: Classroom, topic: Topic, due_at: datetime,
                      students: list[User] | None = None, note: str = "") -> Assignment:
    """Assign a topic to the whole class (no students) or to chosen enrolled students."""
    _ensure_teaches(actor, classroom)
    if timezone.is_naive(due_at):
        raise ValidationError({"due_at": "The due date needs a time zone."})
    chosen = list(students or [])
    if chosen:
        enrolled = set(Enrollment.objects.filter(classroom=classroom, student__in=chosen)
                       .values_list("student_id", flat=True))
        if len(enrolled) != len({s.pk for s in chosen}):
            raise ValidationError({"students": "Choose students from this class."})
    assignment = Assignment.objects.create(classroom=classroom, topic=topic, due_at=due_at, note=note.strip(),
                                           created_by=actor)
    if chosen:
        assignment.students.set(chosen)
    logger.info("assignment created", extra={"actor_id": actor.pk, "assignment_id": assignment.pk})
    return assignment


@transaction.atomic
def delete_assignment(*, actor: User, assignment: Assignment) -> None:
    """Withdraw an assignment."""
    _ensure_teaches(actor, assignment.classroom)
    assignment.delete()


# --- needs-help signals and lesson oversight ---------------------------------------------------

@transaction.atomic
def dismiss_signal(*, actor: User, classroom: Classroom, student: User, kind: str,
                   fingerprint: str) -> SignalDismissal:
    """Hide one needs-help signal; a new occurrence (new fingerprint) shows again."""
    _ensure_teaches(actor, classroom)
    if kind not in SignalKind.values:
        raise ValidationError({"kind": "Unknown signal."})
    if not Enrollment.objects.filter(classroom=classroom, student=student).exists():
        raise ValidationError({"student": "Not in this class."})
    dismissal, _ = SignalDismissal.objects.get_or_create(
        classroom=classroom, student=student, kind=kind, fingerprint=fingerprint[:120],
        defaults={"dismissed_by": actor})
    return dismissal


@transaction.atomic
def block_pairing(*, actor: User, classroom: Classroom, topic: Topic, interest: Interest,
                  reason: str = "") -> LessonBlock:
    """Stop new lessons on `topic` framed around `interest` for this class."""
    _ensure_teaches(actor, classroom)
    block, _ = LessonBlock.objects.get_or_create(
        classroom=classroom, topic=topic, interest=interest,
        defaults={"reason": reason.strip()[:300], "created_by": actor})
    logger.info("pairing blocked", extra={"actor_id": actor.pk, "classroom_id": classroom.pk,
                                          "topic_id": topic.pk, "interest_id": interest.pk})
    return block


@transaction.atomic
def unblock_pairing(*, actor: User, block: LessonBlock) -> None:
    """Lift a topic–interest block."""
    _ensure_teaches(actor, block.classroom)
    block.delete()


@transaction.atomic
def pin_lesson(*, actor: User, classroom: Classroom, lesson, note: str = "") -> PinnedLesson:
    """Pin a reviewed, ready lesson: the class's students get it for its topic (replaces an earlier pin)."""
    _ensure_teaches(actor, classroom)
    if not lesson.is_ready:
        raise ValidationError("Only a finished lesson can be pinned.")
    pin, _ = PinnedLesson.objects.update_or_create(
        classroom=classroom, topic_id=lesson.topic_id,
        defaults={"lesson": lesson, "pinned_by": actor, "note": note.strip()[:300]})
    logger.info("lesson pinned", extra={"actor_id": actor.pk, "classroom_id": classroom.pk, "lesson_id": lesson.pk})
    return pin


@transaction.atomic
def unpin_lesson(*, actor: User, pin: PinnedLesson) -> None:
    """Remove a pin; students get personalized lessons for the topic again."""
    _ensure_teaches(actor, pin.classroom)
    pin.delete()
