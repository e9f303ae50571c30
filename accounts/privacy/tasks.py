"""Celery wrappers for privacy work (exports, erasure after the recovery window, retention)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.privacy.build_export", acks_late=True)
def build_export(export_id: int) -> dict:
    from .services import run_export  # noqa: PLC0415 - import cycle: accounts.privacy.services → accounts.privacy.models → accounts.privacy.receivers → accounts.privacy.tasks at module level

    export = run_export(export_id=export_id)
    return {"export_id": export.pk, "status": export.status, "size_bytes": export.size_bytes}


@shared_task(name="accounts.privacy.erase_due_students")
def erase_due_students() -> dict:
    from .services import erase_due_students as erase  # noqa: PLC0415 - import cycle: accounts.privacy.services → accounts.privacy.models → accounts.privacy.receivers → accounts.privacy.tasks at module level

    certificates = erase()
    return {"erased": len(certificates), "certificates": [c.pk for c in certificates]}


@shared_task(name="accounts.privacy.purge_hourly")
def purge_hourly() -> dict:
    from .services import purge_hourly as purge  # noqa: PLC0415 - import cycle: accounts.privacy.services → accounts.privacy.models → accounts.privacy.receivers → accounts.privacy.tasks at module level

    return purge().purged


@shared_task(name="accounts.privacy.purge_daily")
def purge_daily() -> dict:
    from .services import purge_daily as purge  # noqa: PLC0415 - import cycle: accounts.privacy.services → accounts.privacy.models → accounts.privacy.receivers → accounts.privacy.tasks at module level

    return purge().purged
