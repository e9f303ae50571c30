"""Needs-help dismissals in the privacy registry (registered in TeachingConfig.ready())."""

from __future__ import annotations

from accounts.privacy.registry import STAFF, DataOwner, Section, register


def register_teaching() -> None:
    register(DataOwner(
        app_label="teaching",
        sections=(
            Section("dismissed_signals", "Needs-help signals a teacher reviewed and dismissed", "teaching.SignalDismissal",
                    "student", {"class": "classroom.name", "kind": "kind", "dismissed_at": "dismissed_at"}),
        ),
        not_exported={
            "teaching.SignalDismissal.dismissed_by": STAFF,
        },
    ))
