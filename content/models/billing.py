"""The cost ledger (one row per provider call) and district generation budgets."""

from __future__ import annotations

from django.db import models

from schools.tenancy import TenantManager, TenantPolicy

from .lessons import Lesson


class ProviderCall(models.Model):
    """Cost ledger: one row per provider call with its estimated cost (local providers cost 0)."""

    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="provider_calls")
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="provider_calls")
    capability = models.CharField(max_length=16, help_text="llm, image, tts")
    provider = models.CharField(max_length=40)
    succeeded = models.BooleanField(default=True)
    is_fallback = models.BooleanField(default=False)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    images = models.PositiveIntegerField(default=0)
    characters = models.PositiveIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    seconds = models.FloatField(default=0)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "created_at"])]

    def __str__(self) -> str:
        return f"{self.capability}:{self.provider} ${self.estimated_cost}"


class DistrictBudget(models.Model):
    """A district's monthly generation budget; alerts at 50/75/90/100 % and an action at 100 %."""

    class Action(models.TextChoices):
        LOCAL = "local", "Switch to local providers"
        PAUSE = "pause", "Pause generation"

    district = models.OneToOneField("schools.District", on_delete=models.CASCADE, related_name="budget")
    monthly_budget = models.DecimalField(max_digits=10, decimal_places=2, default=100)
    action_at_limit = models.CharField(max_length=8, choices=Action.choices, default=Action.LOCAL)
    alerts_sent = models.JSONField(default=dict, blank=True, help_text='{"2026-11": [50, 75]}')
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district")

    def __str__(self) -> str:
        return f"{self.district}: ${self.monthly_budget}/month"
