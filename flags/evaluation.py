"""Feature-flag evaluation entry point used by views, templates, the API and Celery tasks.

Placeholder until the flags issue lands: answers from settings. The flags issue replaces the
body with the waffle-backed evaluation; callers keep using `flag_is_active(key, user)`.
"""

from __future__ import annotations

from django.conf import settings

SETTING_DEFAULTS = {"video_generation": "VIDEO_GENERATION_ENABLED"}


def flag_is_active(key: str, user=None) -> bool:
    """Whether the flag is on for this user."""
    setting = SETTING_DEFAULTS.get(key)
    return bool(getattr(settings, setting, False)) if setting else False
