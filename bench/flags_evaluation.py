"""Feature-flag evaluation cost: cold, warm (Redis), warm (process memo), Redis down; rollout share.

Creates and drops its own throwaway database on the embedded Postgres:

    VIVIDLY_TEST_DB=bench_flags VIVIDLY_TEST_REDIS_DB=4 DJANGO_SETTINGS_MODULE=vividly.settings.test \
        .venv/bin/python bench/flags_evaluation.py
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vividly.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from flags import cache as flag_cache  # noqa: E402
from flags.defaults import DEFAULT_FLAGS  # noqa: E402
from flags.evaluation import evaluate, evaluate_all  # noqa: E402


def per_call(label: str, fn, calls: int) -> None:
    start = time.perf_counter()
    for i in range(calls):
        fn(i)
    elapsed = time.perf_counter() - start
    sys.stdout.write(f"{label:<48} {1e6 * elapsed / calls:9.1f} µs/call  ({calls} calls)\n")


def user(pk: int) -> SimpleNamespace:
    return SimpleNamespace(pk=pk, is_authenticated=True, role="student", school_id=1, district_id=1)


def main() -> None:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        cache.delete_pattern("flags:*")
        keys = list(DEFAULT_FLAGS)

        def cold(i):
            cache.delete(flag_cache.VERSION_KEY)
            flag_cache._local = None
            evaluate(keys[i % len(keys)], user(i))

        def warm_redis(i):
            flag_cache._local = None
            evaluate(keys[i % len(keys)], user(i))

        per_call("cold (DB → Redis)", cold, 200)
        per_call("warm, new process (Redis snapshot)", warm_redis, 2000)
        per_call(
            "warm, same process (version GET + memo)",
            lambda i: evaluate(keys[i % len(keys)], user(i)),
            20000,
        )
        per_call("evaluate_all, warm (10 flags)", lambda i: evaluate_all(user(i)), 5000)

        settings.DEBUG = True
        reset_queries()
        for i in range(1000):
            evaluate("advanced_reporting", user(i))
        sys.stdout.write(f"SQL queries for 1000 warm evaluations: {len(connection.queries)}\n")
        settings.DEBUG = False

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        down = {
            "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
        }
        with override_settings(CACHES=down):
            logging.disable(logging.WARNING)
            per_call("Redis down (database fallback)", lambda i: evaluate("quizzes", user(i)), 500)
            logging.disable(logging.NOTSET)

        n = 100_000
        on = sum(evaluate("advanced_reporting", user(pk)).active for pk in range(1, n + 1))
        sys.stdout.write(f"advanced_reporting (50%) share over {n} users: {100 * on / n:.2f}%\n")
    finally:
        cache.delete_pattern("flags:*")
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
