"""Subprocess helper for the cross-process tests: reads JSON commands on stdin, answers on stdout.

Command: {"key": "...", "users": N} → {"active": [ids of synthetic users 1..N for whom the flag is on]}.
"""

import json
import os
import sys
from types import SimpleNamespace

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")
django.setup()

from flags.evaluation import evaluate  # noqa: E402


def synthetic_user(pk: int) -> SimpleNamespace:
    return SimpleNamespace(
        pk=pk, is_authenticated=True, role="student", school_id=None, district_id=None
    )


for line in sys.stdin:
    command = json.loads(line)
    active = [
        pk
        for pk in range(1, command["users"] + 1)
        if evaluate(command["key"], synthetic_user(pk)).active
    ]
    sys.stdout.write(json.dumps({"active": active}) + "\n")
    sys.stdout.flush()
