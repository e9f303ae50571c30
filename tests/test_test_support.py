"""The suite's own guards (issue 14): nothing a test started may still hold the database at the flush."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.support.database import open_transactions, wait_until_no_open_transactions
from tests.support.processes import free_port, purge, start_worker, subprocess_env, waiting_messages
from vividly import devservices
from vividly.celery import debug_ping

ROOT = Path(__file__).resolve().parent.parent


def _raw_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    return psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")},
                           autocommit=False)


@pytest.mark.django_db
def test_a_transaction_left_open_is_reported_ended_and_failed():
    # given another connection that stays inside a transaction (like a request thread never closed)
    other = _raw_connection()
    other.execute("SELECT count(*) FROM schools_district")
    assert open_transactions()
    # when the pre-flush guard runs
    with pytest.raises(AssertionError, match="schools_district"):
        wait_until_no_open_transactions(timeout=1)
    # then that backend was terminated, so the flush and the next test are not blocked
    with pytest.raises(psycopg.OperationalError):
        other.execute("SELECT 1")
    assert not open_transactions()


@pytest.mark.django_db
def test_a_transaction_that_finishes_in_time_is_waited_for():
    other = _raw_connection()
    other.execute("SELECT count(*) FROM schools_district")
    other.commit()
    wait_until_no_open_transactions(timeout=5)
    other.close()


@pytest.mark.django_db
def test_the_session_worker_takes_no_task_unless_a_test_asks_for_it(session_worker):
    # given the session worker running but not requested by this test
    assert session_worker.proc.poll() is None
    queue = session_worker.queues[0]
    result = debug_ping.apply_async(args=["unasked"], queue=queue)
    try:
        time.sleep(2)
        # then the task is still waiting: no worker code runs against this test's database
        assert waiting_messages((queue,)) == [f"{queue}: 1 waiting"]
        assert not result.ready()
    finally:
        purge((queue,))


def test_a_settings_module_left_in_the_shell_does_not_change_the_suites_settings():
    """A leaked DJANGO_SETTINGS_MODULE once had this process read exports where its worker never wrote."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vividly.settings.local"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--noconftest", "-p", "no:randomly", "tests/support/settings_probe.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout


def test_a_worker_on_another_redis_answers_pings_and_inspection(tmp_path):
    """The fault drills run their own Redis: the helpers must reach a worker there, not only on ours."""
    port = free_port()
    devservices.redis_start(tmp_path, port)
    try:
        worker = start_worker(f"other-redis-{os.getpid()}", tmp_path / "worker.log", queues=("default",),
                              env=subprocess_env(REDIS_URL=f"redis://127.0.0.1:{port}/0"), timeout=120)
        try:
            assert worker.busy() == []  # asked the worker itself (inspect), over the other Redis
        finally:
            worker.stop()
    finally:
        devservices.redis_stop(tmp_path)
