"""Celery wrappers for privacy work (exports, erasure after the recovery window, retention)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.privacy.build_export", acks_late=True)
def build_export(export_id: int) -> dict:
    from .services import run_export

    export = run_export(export_id=export_id)
    return {"export_id": export.pk, "status": export.status, "size_bytes": export.size_bytes}


@shared_task(name="accounts.privacy.erase_due_students")
def erase_due_students() -> dict:
    from .services import erase_due_students as erase

    certificates = erase()
    return {"erased": len(certificates), "certificates": [c.pk for c in certificates]}


@shared_task(name="accounts.privacy.purge_hourly")
def purge_hourly() -> dict:
    from .services import purge_hourly as purge

    return purge().purged


@shared_task(name="accounts.privacy.purge_daily")
def purge_daily() -> dict:
    from .services import purge_daily as purge

    return purge().purged
