"""Privacy models (issue 5), imported from accounts/models.py so they live in the accounts app.

`User.deleted_at` (soft delete) is added here with `add_to_class` so accounts/models.py stays untouched
apart from the import line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from schools.tenancy import TenantManager, TenantPolicy

__all__ = ["AccessKind", "ConsentRecord", "DataExport", "DeletionCertificate", "DistrictPrivacySettings",
           "RetentionRun", "StudentDataAccess"]

User.add_to_class("deleted_at", models.DateTimeField(
    null=True, blank=True, db_index=True, editable=False,
    help_text="Soft-deleted at (privacy): recoverable for PRIVACY_DELETION_GRACE_DAYS, then erased."))


class AccessKind(models.TextChoices):
    PROFILE = "profile", "Profile"
    PROGRESS = "progress", "Progress"
    REQUESTS = "requests", "Lesson requests"
    LESSONS = "lessons", "Lessons received"
    QUIZ = "quiz", "Quiz answers"
    EXPORT = "export", "Data export"


class StudentDataAccess(models.Model):
    """Append-only: a staff member viewed or exported one student's data (FERPA record of access)."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_role = models.CharField(max_length=20, blank=True)
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("schools.District", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    what = models.CharField(max_length=16, choices=AccessKind.choices)
    endpoint = models.CharField(max_length=200, blank=True, help_text="URL name or view (never a query string)")
    method = models.CharField(max_length=8, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="school",
                                 teacher=lambda u: Q(actor=u), student=lambda u: Q(student=u))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["student", "-created_at"]), models.Index(fields=["district", "-created_at"])]
        verbose_name_plural = "student data accesses"

    def __str__(self) -> str:
        return f"{self.actor_role} {self.actor_id} viewed {self.what} of student {self.student_id}"


class DistrictPrivacySettings(models.Model):
    """Per-district privacy choices: AI data residency, contract end, retention overrides, escalation."""

    district = models.OneToOneField("schools.District", on_delete=models.CASCADE, related_name="privacy_settings")
    ai_data_residency = models.BooleanField(
        default=False, help_text="Keep all lesson generation on local providers (no student text leaves Vividly).")
    contract_ends_on = models.DateField(null=True, blank=True,
                                        help_text="Progress is kept until this date + the retention window.")
    retention_overrides = models.JSONField(
        default=dict, blank=True, help_text='Days per RETENTION_SCHEDULE key, e.g. {"lesson_requests": 30}. '
                                            "Overrides may only shorten the schedule.")
    safety_escalation_admins = models.ManyToManyField(
        User, blank=True, related_name="+",
        help_text="District admins who opted in to self-harm escalations.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district")

    class Meta:
        verbose_name_plural = "district privacy settings"

    def __str__(self) -> str:
        return f"Privacy settings for {self.district}"


class ConsentRecord(models.Model):
    """A school's recorded consent (COPPA school-authorisation) for an under-13 student."""

    class Method(models.TextChoices):
        SCHOOL = "school", "School official (FERPA/COPPA school authorisation)"
        PARENT = "parent", "Parental consent form on file"

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_records")
    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.SCHOOL)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=120, blank=True, help_text="Form or agreement reference (no PII)")

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="student__school", student=lambda u: Q(student=u))

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Consent ({self.method}) for student {self.student_id}"


class DataExport(models.Model):
    """A ZIP of everything held about one student or one school, built by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    include_media = models.BooleanField(default=False, help_text="Copy media files into the ZIP (else links)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="school")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        scope = f"student {self.student_id}" if self.student_id else f"school {self.school_id}"
        return f"Export #{self.pk} of {scope} ({self.status})"

    @property
    def is_downloadable(self) -> bool:
        return (self.status == self.Status.READY and bool(self.file_name)
                and self.expires_at is not None and self.expires_at > timezone.now())


class DeletionCertificate(models.Model):
    """Proof of an erasure: pseudonymous id, counts per kind of record, when. No PII."""

    pseudonym = models.CharField(max_length=64, db_index=True, help_text="HMAC of the erased user id")
    district = models.ForeignKey("schools.District", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    role = models.CharField(max_length=20, blank=True)
    soft_deleted_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, help_text="{model label: rows deleted}")
    media_files_deleted = models.PositiveIntegerField(default=0)
    shared_lessons_kept = models.PositiveIntegerField(default=0)
    pseudonymised = models.JSONField(default=dict, help_text="{model label: rows kept but pseudonymised}")

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district")

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Deletion certificate {self.pseudonym[:12]} ({self.erased_at:%Y-%m-%d})"


class RetentionRun(models.Model):
    """What one retention task purged (the beat tasks' report)."""

    task = models.CharField(max_length=60)
    started_at = models.DateTimeField(default=timezone.now)
    purged = models.JSONField(default=dict, help_text="{schedule key: rows purged}")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.task} at {self.started_at:%Y-%m-%d %H:%M}: {sum(self.purged.values())} rows"




def grace_days() -> int:
    return int(getattr(settings, "PRIVACY_DELETION_GRACE_DAYS", 30))


from . import receivers  # noqa: E402, F401  (signal receivers and Celery tasks)
