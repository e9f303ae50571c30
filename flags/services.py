"""Write side of feature flags. Every change goes through here (or the admin, which calls these)
so it is validated, permission-checked, audited with a reason and invalidates the cache."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from schools.models import District, School
from schools.tenancy import Role

from .audit import audit_context
from .models import OVERRIDE_SCOPES, TARGET_FIELD, Flag, FlagOverride, Scope

FLAG_EDITABLE_FIELDS = {"everyone", "percent", "roles", "district_manageable", "note"}
TARGET_MODEL = {Scope.DISTRICT: District, Scope.SCHOOL: School, Scope.USER: User}
FOREIGN_DISTRICT_ERROR = "You can only change overrides for your own district and its schools."


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": "Give a reason for this change; it goes into the audit trail."}
        )


def validate_scope(scope: str) -> Scope:
    """The scope as a `Scope`, or a ValidationError naming the allowed ones."""
    if scope not in OVERRIDE_SCOPES:
        allowed = ", ".join(s.value for s in OVERRIDE_SCOPES)
        raise ValidationError(
            {"scope": f"Unknown scope {scope!r}; use one of: {allowed}."}, code="unknown_scope"
        )
    return Scope(scope)


def can_manage_overrides(actor: Any) -> bool:
    """Superusers, and district admins attached to a district."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return actor.is_superuser or (
        actor.role == Role.DISTRICT_ADMIN and actor.district_id is not None
    )


def _normalise_target(override: FlagOverride) -> None:
    """Clear the fields the scope does not use and copy the district from the school/user."""
    scope = validate_scope(override.scope)
    if scope == Scope.DISTRICT:
        override.school = None
        override.user = None
    elif scope == Scope.SCHOOL:
        override.user = None
        if override.school_id:
            override.district_id = override.school.district_id
    else:
        override.school = None
        if override.user_id:
            override.district_id = override.user.district_id
    field = TARGET_FIELD[scope]
    if getattr(override, f"{field}_id") is None:
        raise ValidationError({field: f"A {scope.value} override needs a {scope.value}."})


def validate_override(*, actor: Any, override: FlagOverride) -> None:
    """Raise unless `actor` may save this override (district admins: own district, manageable flags)."""
    if not can_manage_overrides(actor):
        raise PermissionDenied("Only superusers and district admins manage flag overrides.")
    _normalise_target(override)
    if actor.is_superuser:
        return
    if not override.flag.district_manageable:
        raise ValidationError(
            {"flag": f"Flag '{override.flag.name}' is not district-manageable."},
            code="not_district_manageable",
        )
    if override.scope == Scope.USER:
        raise ValidationError(
            {"scope": "Only superusers set per-user overrides."}, code="user_scope"
        )
    # an existing row must already belong to this admin's district and a manageable flag
    stored = (
        FlagOverride.objects.filter(pk=override.pk)
        .values_list("district_id", "flag__district_manageable")
        .first()
        if override.pk
        else (actor.district_id, True)
    )
    if override.district_id != actor.district_id or stored != (actor.district_id, True):
        raise ValidationError(
            {TARGET_FIELD[Scope(override.scope)]: FOREIGN_DISTRICT_ERROR}, code="foreign_district"
        )


@transaction.atomic
def save_override(*, actor: Any, override: FlagOverride, reason: str) -> FlagOverride:
    """Validate and save an override; the signal writes the audit row."""
    _require_reason(reason)
    validate_override(actor=actor, override=override)
    override.full_clean()
    with audit_context(actor=actor, reason=reason):
        override.save()
    return override


@transaction.atomic
def set_override(
    *, actor: Any, flag: Flag, scope: str, target: Any, active: bool, reason: str
) -> FlagOverride:
    """Force `flag` on/off for a district, school or user (creating or updating the override)."""
    scope = validate_scope(scope)
    if not isinstance(target, TARGET_MODEL[scope]):
        raise ValidationError(
            {TARGET_FIELD[scope]: f"A {scope.value} override targets a {scope.value}."}
        )
    field = TARGET_FIELD[scope]
    override = FlagOverride.objects.select_for_update().filter(
        flag=flag, scope=scope, **{field: target}
    ).first() or FlagOverride(flag=flag, scope=scope, **{field: target})
    override.active = active
    return save_override(actor=actor, override=override, reason=reason)


@transaction.atomic
def delete_override(*, actor: Any, override: FlagOverride, reason: str) -> None:
    """Remove an override (the target falls back to the next rule)."""
    _require_reason(reason)
    validate_override(actor=actor, override=override)
    with audit_context(actor=actor, reason=reason):
        override.delete()


def _require_superuser(actor: Any) -> None:
    if not (actor is not None and getattr(actor, "is_superuser", False) and actor.is_active):
        raise PermissionDenied("Only superusers change flags themselves.")


@transaction.atomic
def save_flag(*, actor: Any, flag: Flag, reason: str) -> Flag:
    """Validate and save a flag (superusers only); the signal writes the audit row."""
    _require_superuser(actor)
    _require_reason(reason)
    flag.full_clean()
    with audit_context(actor=actor, reason=reason):
        flag.save()
    return flag


@transaction.atomic
def update_flag(*, actor: Any, flag: Flag, reason: str, **changes: Any) -> Flag:
    """Change some of a flag's settings (everyone, percent, roles, district_manageable, note)."""
    unknown = set(changes) - FLAG_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown flag settings: {', '.join(sorted(unknown))}.")
    for field, value in changes.items():
        setattr(flag, field, value)
    return save_flag(actor=actor, flag=flag, reason=reason)


@transaction.atomic
def delete_flag(*, actor: Any, flag: Flag, reason: str) -> None:
    """Delete a flag and its overrides (a coded default flag then answers from its default)."""
    _require_superuser(actor)
    _require_reason(reason)
    with audit_context(actor=actor, reason=reason):
        flag.delete()
