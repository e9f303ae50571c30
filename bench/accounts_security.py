"""Costs of the accounts/security layer: bcrypt(12) hash+verify, JWT issue/verify, one rate-limit
check on Redis, rendering one inlined email. No database needed.

    VIVIDLY_TEST_REDIS_DB=3 DJANGO_SETTINGS_MODULE=vividly.settings.test .venv/bin/python bench/accounts_security.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")

import django

django.setup()

from django.contrib.auth.hashers import check_password, make_password  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from accounts.emails import build_message  # noqa: E402
from accounts.ratelimits import hit  # noqa: E402
from vividly import devservices  # noqa: E402


def timed(label: str, fn, runs: int) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<42} median {statistics.median(samples):8.3f} ms   max {max(samples):8.3f} ms   (n={runs})")


def main() -> None:
    from django.conf import settings  # noqa: PLC0415 - the script sets Django up first

    devservices.start_all(settings)
    hasher = "accounts.hashers.BCryptSHA256PasswordHasher"
    with override_settings(PASSWORD_HASHERS=[hasher]):
        encoded = make_password("Correct-Horse-42")
        print("hash prefix:", encoded[:22])
        timed("bcrypt_sha256 (12 rounds) make_password", lambda: make_password("Correct-Horse-42"), 10)
        timed("bcrypt_sha256 (12 rounds) check_password", lambda: check_password("Correct-Horse-42", encoded), 10)
    token = AccessToken()
    token["user_id"] = "1"
    raw = str(token)
    timed("JWT access token encode", lambda: str(AccessToken()), 1000)
    timed("JWT access token decode+verify", lambda: AccessToken(raw), 1000)
    timed("rate-limit check (Redis incr)", lambda: hit(name="api_user_minute", key_value="bench"), 1000)
    context = {"student_first_name": "Maya", "lesson_title": "Newton's laws", "lesson_url": "https://v.test/l/1"}
    timed("content_ready email render + css-inline",
          lambda: build_message(template="content_ready", to="a@b.org", context=context), 200)


if __name__ == "__main__":
    main()
