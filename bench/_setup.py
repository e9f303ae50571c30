"""Shared bootstrap for bench scripts: Django on the dev settings (never the test DB)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.local")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django  # noqa: PLC0415 - the script sets Django up first

    django.setup()
