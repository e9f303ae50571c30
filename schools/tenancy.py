"""The one mechanism that scopes tenant-owned rows to what a user may see.

Every tenant-owned model declares a `TenantPolicy` (how to reach its district and school, and
which rows a teacher or student may read) and uses `TenantQuerySet`. Views, the admin, the API
and tasks all call `Model.objects.visible_to(user)` (or `get_visible_or_404`), so no code path
hand-writes a district filter. Deny by default: a role the policy does not mention sees nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    TEACHER = "teacher", "Teacher"
    SCHOOL_ADMIN = "school_admin", "School admin"
    DISTRICT_ADMIN = "district_admin", "District admin"


@dataclass(frozen=True)
class TenantPolicy:
    """Lookups from a model to its tenant. `teacher`/`student` build a Q for those roles."""

    district: str
    school: str | None = None
    teacher: Callable[[User], models.Q] | None = None
    student: Callable[[User], models.Q] | None = None


class TenantQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> TenantQuerySet:
        """Rows this user may read; empty for anonymous users and roles without a rule."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        policy: TenantPolicy = self.model.tenant_policy
        if user.district_id is None:
            return self.none()
        in_district = self.filter(**{policy.district: user.district_id})
        if user.role == Role.DISTRICT_ADMIN:
            return in_district
        if user.role == Role.SCHOOL_ADMIN:
            if policy.school is None or user.school_id is None:
                return self.none()
            return in_district.filter(**{policy.school: user.school_id})
        rule = {Role.TEACHER: policy.teacher, Role.STUDENT: policy.student}.get(user.role)
        if rule is None:
            return self.none()
        return in_district.filter(rule(user)).distinct()

    def get_visible_or_404(self, user: User | Any, **lookup: Any) -> models.Model:
        """One visible row, or Http404 — the same answer for 'not yours' and 'does not exist'."""
        try:
            return self.visible_to(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.") from exc


TenantManager = models.Manager.from_queryset(TenantQuerySet)


def class_policy(path: str = "classroom", *, student: Callable[[User], models.Q] | None = None) -> TenantPolicy:
    """The policy of rows that belong to one class (`path` names the classroom field): the class's
    district and school admins, its teachers, and students as `student` says (none by default)."""
    return TenantPolicy(district=f"{path}__school__district", school=f"{path}__school",
                        teacher=lambda user: models.Q(**{f"{path}__teachers": user}), student=student)
