"""Feature flags on django-waffle: `Flag` (the WAFFLE_FLAG_MODEL), scoped overrides, audit trail.

`Flag` keeps waffle's name/everyone/note/created/modified columns (and its users/groups M2Ms,
which waffle's signals need), widens `percent` to 0–100 and
adds role targeting and `district_manageable`; waffle's cookie/staff/language rules are removed so
that waffle's template tag and `waffle.flag_is_active` answer through `flags.evaluation` only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from waffle.models import AbstractUserFlag

from schools.tenancy import Role, TenantManager, TenantPolicy

FLAG_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
flag_key_validator = RegexValidator(
    FLAG_KEY_PATTERN,
    "A flag key is 1–64 characters: lowercase letters, digits and underscores, starting with a letter.",
    code="invalid_flag_key",
)


class FlagManager(models.Manager):
    def get_by_natural_key(self, name: str) -> Flag:
        return self.get(name=name)


class Flag(AbstractUserFlag):
    """A feature flag. Evaluation rules and precedence live in `flags.evaluation`."""

    name = models.CharField(
        "key",
        max_length=64,
        unique=True,
        validators=[flag_key_validator],
        help_text="Stable key used in code, e.g. video_generation.",
    )
    everyone = models.BooleanField(
        "on globally", default=False, help_text="The value for users no other rule decides."
    )
    percent = models.DecimalField(
        "rollout percent",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0–100. Users are bucketed by a hash of flag key + user id, so the same users stay "
        "in as the percentage grows. Empty: no percentage rule.",
    )
    roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        blank=True,
        default=list,
        help_text="Roles for which the flag is on (before percentage and global).",
    )
    district_manageable = models.BooleanField(
        default=False, help_text="District admins may set district/school overrides for this flag."
    )
    # waffle's signals require these M2Ms to exist; our rules do not read them (use FlagOverride).
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Unused (waffle compatibility): add a user override instead.",
    )
    groups = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", help_text="Unused (waffle compatibility)."
    )
    # waffle rules we do not use (cookie percentages, staff/superuser/language, testing mode).
    testing = None
    superusers = None
    staff = None
    authenticated = None
    languages = None
    rollout = None

    objects = FlagManager()

    class Meta:
        ordering = ["name"]
        verbose_name = "feature flag"
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="flag_percent_0_100",
            ),
        ]

    @classmethod
    def get(cls, name: str) -> Flag:
        """waffle's lookup hook: a lightweight handle; evaluation reads the cached snapshot."""
        return cls(name=name)

    def is_active(self, request: HttpRequest, read_only: bool = False) -> bool:
        """waffle's hook (template tag, `waffle.flag_is_active`): the same evaluation as our code."""
        from .evaluation import flag_is_active  # noqa: PLC0415 - import cycle: flags.evaluation → flags.cache → flags.models at module level

        return flag_is_active(self.name, getattr(request, "user", None))

    def is_active_for_user(self, user: Any) -> bool:
        from .evaluation import flag_is_active  # noqa: PLC0415 - import cycle: flags.evaluation → flags.cache → flags.models at module level

        return flag_is_active(self.name, user)

    def flush(self) -> None:
        """waffle's own cache is unused: `flags.cache` versions the snapshot instead."""


class Scope(models.TextChoices):
    GLOBAL = "global", "Global"
    DISTRICT = "district", "District"
    SCHOOL = "school", "School"
    USER = "user", "User"


OVERRIDE_SCOPES = (Scope.DISTRICT, Scope.SCHOOL, Scope.USER)
TARGET_FIELD = {Scope.DISTRICT: "district", Scope.SCHOOL: "school", Scope.USER: "user"}


class FlagOverride(models.Model):
    """Forces a flag on or off for one district, one school or one user (beta testers).

    `district` is always filled for district/school rows (a school row copies its school's
    district) so tenant scoping is one lookup; user rows carry the user's district if any.
    """

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="overrides")
    scope = models.CharField(max_length=10, choices=[(s.value, s.label) for s in OVERRIDE_SCOPES])
    district = models.ForeignKey(
        "schools.District",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flag_overrides",
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flag_overrides",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flag_overrides",
    )
    active = models.BooleanField(
        help_text="Force the flag on (checked) or off (unchecked) for this target."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district", school="school")

    class Meta:
        ordering = ["flag__name", "scope", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        scope="district",
                        district__isnull=False,
                        school__isnull=True,
                        user__isnull=True,
                    )
                    | Q(
                        scope="school",
                        district__isnull=False,
                        school__isnull=False,
                        user__isnull=True,
                    )
                    | Q(scope="user", school__isnull=True, user__isnull=False)
                ),
                name="flag_override_target_matches_scope",
            ),
            models.UniqueConstraint(
                fields=["flag", "district"],
                condition=Q(scope="district"),
                name="flag_override_one_per_district",
            ),
            models.UniqueConstraint(
                fields=["flag", "school"],
                condition=Q(scope="school"),
                name="flag_override_one_per_school",
            ),
            models.UniqueConstraint(
                fields=["flag", "user"],
                condition=Q(scope="user"),
                name="flag_override_one_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flag.name} @ {self.scope} {self.target} = {'on' if self.active else 'off'}"

    @property
    def target(self) -> Any:
        field = TARGET_FIELD.get(self.scope)
        return getattr(self, field) if field else None


class FlagAudit(models.Model):
    """One change to a flag or an override: who, when, which flag and scope, old → new, why."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    flag_key = models.CharField(max_length=64, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    target = models.CharField(
        max_length=300, blank=True, help_text="The district, school or user overridden."
    )
    # Plain ids, not FKs: history must survive (and not block) deleting the district or school.
    district_pk = models.BigIntegerField(null=True, blank=True, db_index=True)
    school_pk = models.BigIntegerField(null=True, blank=True)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district_pk", school="school_pk")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "flag audit entry"
        verbose_name_plural = "flag audit trail"

    def __str__(self) -> str:
        return f"{self.flag_key} {self.action} ({self.scope}) by {self.actor_email or 'system'}"
