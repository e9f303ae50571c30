"""The Redis snapshot cache: zero SQL when warm, invalidation on change, database fallback."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from flags import cache as flag_cache
from flags import services
from flags.defaults import DEFAULT_FLAGS
from flags.evaluation import Reason, evaluate, evaluate_all, flag_is_active


def _forget_process_memo() -> None:
    """Act like a fresh process: only Redis holds the snapshot."""
    flag_cache._local = None


@pytest.mark.django_db(transaction=True)
def test_warm_cache_evaluates_without_sql_and_changes_apply_at_once(
    tenant_a, superuser, make_flag, django_assert_num_queries
):
    # given a warm cache
    flag = make_flag("cached_probe", everyone=False, district_manageable=True)
    assert flag_is_active("cached_probe", tenant_a.student) is False
    # then evaluating any flag, or all flags, costs no SQL: from this process's memo or from Redis
    with django_assert_num_queries(0):
        for key in [*DEFAULT_FLAGS, "cached_probe"]:
            evaluate(key, tenant_a.student)
        evaluate_all(tenant_a.student)
    _forget_process_memo()
    with django_assert_num_queries(0):
        assert evaluate("cached_probe", tenant_a.student).reason == Reason.GLOBAL
    # when a district admin overrides it, then the next evaluation sees it (cache invalidated)
    services.set_override(
        actor=tenant_a.district_admin,
        flag=flag,
        scope="school",
        target=tenant_a.school,
        active=True,
        reason="pilot",
    )
    assert evaluate("cached_probe", tenant_a.student).reason == Reason.SCHOOL_OVERRIDE
    with django_assert_num_queries(0):
        assert flag_is_active("cached_probe", tenant_a.student) is True
    # and a rollout change too
    services.update_flag(actor=superuser, flag=flag, percent=Decimal(100), reason="full")
    assert evaluate("cached_probe", tenant_a.teacher) == evaluate("cached_probe", tenant_a.teacher)
    assert evaluate("cached_probe", tenant_a.district_admin).reason == Reason.PERCENTAGE


@pytest.mark.django_db(transaction=True)
def test_redis_down_falls_back_to_the_database_and_stays_correct(
    tenant_a, superuser, make_flag, settings, closed_port
):
    flag = make_flag("fallback_probe", everyone=False)
    assert flag_is_active("fallback_probe", tenant_a.student) is False  # warms this process's memo
    # given Redis is unreachable
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed_port}/0"}
    }
    # when flags change (the version bump fails and is logged, the write still succeeds)
    services.set_override(
        actor=superuser,
        flag=flag,
        scope="school",
        target=tenant_a.school,
        active=True,
        reason="during outage",
    )
    # then evaluation reads the database and is correct, not the stale memo
    with CaptureQueriesContext(connection) as queries:
        decision = evaluate("fallback_probe", tenant_a.student)
    assert (decision.active, decision.reason) == (True, Reason.SCHOOL_OVERRIDE)
    assert len(queries) > 0
    assert flag_is_active("fallback_probe", tenant_a.school_admin) is True
    assert evaluate("video_generation", tenant_a.student).active is True


def test_reads_inside_a_changing_transaction_see_their_own_writes(tenant_a, superuser, make_flag):
    # non-transactional test: everything runs inside one transaction that never commits
    flag = make_flag("txn_probe", everyone=False)
    assert flag_is_active("txn_probe", tenant_a.student) is False
    services.set_override(
        actor=superuser, flag=flag, scope="user", target=tenant_a.student, active=True, reason="txn"
    )
    assert evaluate("txn_probe", tenant_a.student).reason == Reason.USER_OVERRIDE


def test_a_rolled_back_savepoint_write_is_not_served(tenant_a, superuser, make_flag):
    flag = make_flag("savepoint_probe", everyone=False)
    assert flag_is_active("savepoint_probe", tenant_a.student) is False

    def change_then_fail():
        with transaction.atomic():
            services.update_flag(actor=superuser, flag=flag, everyone=True, reason="will roll back")
            assert flag_is_active("savepoint_probe", tenant_a.student) is True
            raise RuntimeError("roll back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert flag_is_active("savepoint_probe", tenant_a.student) is False
