"""The one permission layer for pages and the API: role gates plus tenant-scoped object lookups.

Pages: `@require_student` / `@require_teacher` / `@require_admin` on function views, or
`StudentRequiredMixin` / `TeacherRequiredMixin` / `AdminRequiredMixin` on class-based views.
Anonymous visitors are sent to the login page; signed-in users of another role get 403 (the
page's existence is not a secret). API: `IsStudent`, `IsTeacher`, `IsTenantAdmin` DRF permission
classes (401 without credentials, 403 for the wrong role).

Objects: always fetch through `get_visible_or_404(Model, user, pk=...)` (or `visible_to(Model,
user)` for lists), built on `schools.tenancy`: "not yours" and "does not exist" both answer 404.
`TenantObjectPermission` and `TenantScopedQuerysetMixin` do the same for DRF views.

Users acting on users: `manageable_users(actor)` / `can_manage_user(actor, target)` is the one rule
for editing, resetting the password of, deactivating, signing out, deleting or re-roling an account:
an admin manages the users they can see whose role they may assign (`assignable_roles`), plus
themselves; never a superuser; superusers manage everyone. The admin, roster import, sessions,
lockouts and invitations all ask it.

Deny by default: inactive users, users without a district and unknown roles get nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from rest_framework import permissions

from accounts.models import User
from schools.tenancy import ADMIN_ROLES, Role

STUDENT_ROLES: frozenset[str] = frozenset({Role.STUDENT})
TEACHER_ROLES: frozenset[str] = frozenset({Role.TEACHER})

__all__ = [
    "ADMIN_ROLES",
    "AdminRequiredMixin",
    "IsStudent",
    "IsTeacher",
    "IsTenantAdmin",
    "RoleRequiredMixin",
    "StudentRequiredMixin",
    "TeacherRequiredMixin",
    "TenantObjectPermission",
    "TenantScopedQuerysetMixin",
    "assignable_roles",
    "can_manage_user",
    "get_visible_or_404",
    "has_role",
    "is_student",
    "is_teacher",
    "is_tenant_admin",
    "manageable_users",
    "require_admin",
    "require_role",
    "require_student",
    "require_teacher",
    "visible_to",
]


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user: Any, roles: Iterable[str]) -> bool:
    """True for an active, signed-in user whose role is one of `roles` (superusers count as admins)."""
    if not _is_signed_in(user):
        return False
    roles = frozenset(roles)
    if user.is_superuser and roles & ADMIN_ROLES:
        return True
    # Tenant users must belong to a district; a half-provisioned account gets nothing.
    return user.role in roles and user.district_id is not None


def is_student(user: Any) -> bool:
    return has_role(user, STUDENT_ROLES)


def is_teacher(user: Any) -> bool:
    return has_role(user, TEACHER_ROLES)


def is_tenant_admin(user: Any) -> bool:
    return has_role(user, ADMIN_ROLES)


# --- function views -----------------------------------------------------------------------------

def require_role(*roles: str) -> Callable:
    """Decorator: anonymous → login redirect; signed in with another role → 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _is_signed_in(request.user):
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, roles):
                raise PermissionDenied("Your account cannot open this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


require_student = require_role(*STUDENT_ROLES)
require_student.__doc__ = "Only students may open the decorated view."
require_teacher = require_role(*TEACHER_ROLES)
require_teacher.__doc__ = "Only teachers may open the decorated view."
require_admin = require_role(*ADMIN_ROLES)
require_admin.__doc__ = "Only school and district admins (and superusers) may open the decorated view."


# --- class-based views --------------------------------------------------------------------------

class RoleRequiredMixin(AccessMixin):
    """Class-based view gate; set `allowed_roles`. Empty `allowed_roles` denies everyone."""

    allowed_roles: frozenset[str] = frozenset()
    raise_exception = False  # anonymous users go to the login page

    def dispatch(self, request, *args, **kwargs):
        if not _is_signed_in(request.user):
            return self.handle_no_permission()
        if not has_role(request.user, self.allowed_roles):
            raise PermissionDenied("Your account cannot open this page.")
        return super().dispatch(request, *args, **kwargs)


class StudentRequiredMixin(RoleRequiredMixin):
    allowed_roles = STUDENT_ROLES


class TeacherRequiredMixin(RoleRequiredMixin):
    allowed_roles = TEACHER_ROLES


class AdminRequiredMixin(RoleRequiredMixin):
    allowed_roles = ADMIN_ROLES


# --- DRF ----------------------------------------------------------------------------------------

class _RolePermission(permissions.BasePermission):
    roles: frozenset[str] = frozenset()
    message = "Your account's role cannot use this endpoint."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, self.roles)


class IsStudent(_RolePermission):
    roles = STUDENT_ROLES


class IsTeacher(_RolePermission):
    roles = TEACHER_ROLES


class IsTenantAdmin(_RolePermission):
    roles = ADMIN_ROLES


class TenantObjectPermission(permissions.BasePermission):
    """Object check for DRF views: an object outside `visible_to(user)` is a 404, never a 403."""

    def has_permission(self, request, view) -> bool:
        return _is_signed_in(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        manager = type(obj)._default_manager
        if not manager.visible_to(request.user).filter(pk=obj.pk).exists():
            raise Http404("Not found.")
        return True


class TenantScopedQuerysetMixin:
    """DRF view mixin: `get_queryset()` is narrowed to what the user may see (lists and details)."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


# --- object helpers -----------------------------------------------------------------------------

def _queryset(model_or_queryset: type[models.Model] | models.QuerySet) -> models.QuerySet:
    if isinstance(model_or_queryset, models.QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def visible_to(model_or_queryset: type[models.Model] | models.QuerySet, user: Any) -> models.QuerySet:
    """Rows of a tenant-owned model (or queryset) the user may read; empty when in doubt."""
    return _queryset(model_or_queryset).visible_to(user)


def get_visible_or_404(model_or_queryset: type[models.Model] | models.QuerySet, user: Any,
                       **lookup: Any) -> models.Model:
    """One row the user may read, else Http404 (same answer for foreign and missing rows)."""
    return _queryset(model_or_queryset).get_visible_or_404(user, **lookup)


# --- staff acting on users ----------------------------------------------------------------------

def assignable_roles(actor: Any) -> list[str]:
    """Roles an admin may give: never above their own, and only superusers make district admins."""
    if not _is_signed_in(actor):
        return []
    if actor.is_superuser:
        return list(Role.values)
    if not is_tenant_admin(actor):
        return []
    if actor.role == Role.DISTRICT_ADMIN:
        return [Role.STUDENT, Role.TEACHER, Role.SCHOOL_ADMIN]
    return [Role.STUDENT, Role.TEACHER]


def manageable_users(actor: Any) -> models.QuerySet:
    """Users `actor` may edit, reset, deactivate, sign out, delete or re-role (see the module doc)."""

    if not _is_signed_in(actor):
        return User.objects.none()
    if actor.is_superuser:
        return User.objects.all()
    if not is_tenant_admin(actor):
        return User.objects.none()
    below = User.objects.visible_to(actor).filter(role__in=assignable_roles(actor), is_superuser=False)
    return User.objects.filter(models.Q(pk=actor.pk) | models.Q(pk__in=below.values("pk")))


def can_manage_user(actor: Any, target: Any) -> bool:
    """True when `actor` may act on the account `target` (one query; superusers: always)."""
    if target is None or getattr(target, "pk", None) is None:
        return False
    if _is_signed_in(actor) and actor.is_superuser:
        return True
    return manageable_users(actor).filter(pk=target.pk).exists()
