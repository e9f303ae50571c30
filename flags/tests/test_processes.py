"""Rollout buckets and invalidation across real OS processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from flags import services
from flags.evaluation import evaluate
from flags.tests.test_evaluation import SYNTHETIC_USERS, rollout_ids

PROBE = Path(__file__).with_name("probe.py")
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def probe_process():
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
        "PYTHONHASHSEED": "random",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    proc = subprocess.Popen(  # noqa: S603 - this interpreter running the test's probe script
        [sys.executable, str(PROBE)],
        cwd=ROOT,
        env=env,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )

    def ask(key: str) -> set[int]:
        proc.stdin.write(json.dumps({"key": key, "users": SYNTHETIC_USERS}) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert line, "probe process died"
        return set(json.loads(line)["active"])

    yield ask
    proc.stdin.close()
    proc.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_rollout_is_identical_across_processes_and_changes_reach_them(
    superuser, make_flag, probe_process
):
    # given a committed 10% rollout
    flag = make_flag("process_probe", everyone=True, percent=Decimal(10))
    here = rollout_ids("process_probe")
    # then another process (its own hash seed, its own memo) puts exactly the same users in
    there = probe_process("process_probe")
    assert there == here
    assert 9.0 <= 100 * len(there) / SYNTHETIC_USERS <= 11.0
    # when the rollout is raised to 20% here, then the other process sees it on its next call
    services.update_flag(actor=superuser, flag=flag, percent=Decimal(20), reason="widen")
    widened = probe_process("process_probe")
    assert here < widened
    assert widened == rollout_ids("process_probe")
    assert evaluate("process_probe", None).active is False
