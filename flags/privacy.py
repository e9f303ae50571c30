"""Feature switches in the privacy registry (registered in FlagsConfig.ready())."""

from __future__ import annotations

from accounts.privacy.registry import STAFF, DataOwner, Section, register


def register_flags() -> None:
    register(DataOwner(
        app_label="flags",
        sections=(
            Section("feature_switches", "Features switched on or off for this account", "flags.FlagOverride", "user",
                    {"feature": "flag.name", "active": "active", "updated_at": "updated_at"}),
        ),
        not_exported={
            "flags.Flag.users": "django-waffle's per-user list, unused (per-user switches are FlagOverride rows)",
            "flags.Flag_users.user": "django-waffle's per-user list, unused",
            "flags.FlagAudit.actor": STAFF,
        },
    ))
