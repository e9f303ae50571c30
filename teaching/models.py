"""Needs-help signals are computed (teaching.analytics); only a teacher's dismissals are stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from schools.tenancy import TenantManager, class_policy


class SignalKind(models.TextChoices):
    REPEATED_QUESTION = "repeated_question", "Asked about the same concept 3 times"
    STOPS_HALFWAY = "stops_halfway", "Stops most videos halfway"
    FAILED_QUIZ = "failed_quiz", "Failed the quiz"
    FAILED_REQUIZ = "failed_requiz", "Failed the re-quiz"
    INACTIVE = "inactive", "No activity for 7 days"
    LOW_ENGAGEMENT = "low_engagement", "Engagement under 30% of the class average"
    REPORTED_PROBLEM = "reported_problem", "Reported a problem"


class SignalDismissal(models.Model):
    """A teacher dismissed one needs-help signal. Signals are computed; only dismissals are stored.

    `fingerprint` names the evidence (e.g. the topic or the latest event time), so a new
    occurrence of the same kind fires again after a dismissal.
    """

    classroom = models.ForeignKey("schools.Classroom", on_delete=models.CASCADE, related_name="signal_dismissals")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=SignalKind.choices)
    fingerprint = models.CharField(max_length=120)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = class_policy()

    class Meta:
        db_table = "schools_signaldismissal"  # created by schools; moved here in issue 16
        constraints = [models.UniqueConstraint(fields=["classroom", "student", "kind", "fingerprint"],
                                               name="unique_signal_dismissal")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.student_id} dismissed"
