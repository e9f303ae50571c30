"""Every saved or deleted Flag/FlagOverride writes a FlagAudit row and invalidates the cache.

Signals (not only services) so that the admin, the shell and services are all audited; the actor
and reason come from `flags.audit.audit_context`. `QuerySet.update()` bypasses signals: don't.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from . import cache as flag_cache
from .audit import current
from .models import Flag, FlagAudit, FlagOverride, Scope

FLAG_FIELDS = ("name", "everyone", "percent", "roles", "district_manageable", "note")
OVERRIDE_FIELDS = ("active",)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def _values(instance: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: _jsonable(getattr(instance, field)) for field in fields}


def _fields_for(instance: Any) -> tuple[str, ...]:
    return FLAG_FIELDS if isinstance(instance, Flag) else OVERRIDE_FIELDS


def _write_audit(instance: Any, action: str, old: dict | None, new: dict | None) -> None:
    context = current()
    actor = context.actor if getattr(context.actor, "pk", None) else None
    common = {
        "actor": actor,
        "actor_email": getattr(actor, "email", "") or "",
        "action": action,
        "old_value": old,
        "new_value": new,
        "reason": context.reason,
    }
    if isinstance(instance, Flag):
        FlagAudit.objects.create(flag_key=instance.name, scope=Scope.GLOBAL, **common)
    else:
        FlagAudit.objects.create(
            flag_key=instance.flag.name,
            scope=instance.scope,
            target=str(instance.target or "")[:300],
            district_pk=instance.district_id,
            school_pk=instance.school_id,
            **common,
        )


@receiver(pre_save, sender=Flag)
@receiver(pre_save, sender=FlagOverride)
def remember_old_values(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        instance._flag_audit_old = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._flag_audit_old = _values(old, _fields_for(instance)) if old else None


@receiver(post_save, sender=Flag)
@receiver(post_save, sender=FlagOverride)
def audit_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    fields = _fields_for(instance)
    new = _values(instance, fields)
    old = getattr(instance, "_flag_audit_old", None)
    if created or old is None:
        _write_audit(instance, FlagAudit.Action.CREATE, None, new)
    else:
        changed = [field for field in fields if old[field] != new[field]]
        if changed:
            _write_audit(
                instance,
                FlagAudit.Action.UPDATE,
                {f: old[f] for f in changed},
                {f: new[f] for f in changed},
            )
    flag_cache.invalidate()


@receiver(pre_delete, sender=Flag)
@receiver(pre_delete, sender=FlagOverride)
def remember_deleted_values(sender, instance, **kwargs) -> None:
    stored = sender._default_manager.filter(pk=instance.pk).first()
    instance._flag_audit_old = _values(stored or instance, _fields_for(instance))


@receiver(post_delete, sender=Flag)
@receiver(post_delete, sender=FlagOverride)
def audit_delete(sender, instance, **kwargs) -> None:
    old = getattr(instance, "_flag_audit_old", None) or _values(instance, _fields_for(instance))
    _write_audit(instance, FlagAudit.Action.DELETE, old, None)
    flag_cache.invalidate()
