"""Precedence, consistent-hash rollout and default fallback of flags.evaluation."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import waffle
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from flags import services
from flags.defaults import DEFAULT_FLAGS
from flags.evaluation import Reason, bucket, evaluate, evaluate_all, flag_is_active
from flags.models import Flag

SYNTHETIC_USERS = 10_000


def synthetic_user(pk: int) -> SimpleNamespace:
    return SimpleNamespace(
        pk=pk, is_authenticated=True, role="student", school_id=None, district_id=None
    )


def rollout_ids(key: str) -> set[int]:
    return {pk for pk in range(1, SYNTHETIC_USERS + 1) if evaluate(key, synthetic_user(pk)).active}


def test_precedence_user_over_school_over_district_over_role_over_percentage_over_global(
    tenant_a, superuser, make_flag
):
    # given a student and a flag where every layer disagrees with the layer below it
    student = tenant_a.student
    flag = make_flag("precedence_probe", everyone=True)

    def decide():
        decision = evaluate("precedence_probe", student)
        return decision.active, decision.reason

    def override(scope, target, active):
        return services.set_override(
            actor=superuser,
            flag=flag,
            scope=scope,
            target=target,
            active=active,
            reason="precedence test",
        )

    # when layers are added bottom-up, then each new layer decides
    assert decide() == (True, Reason.GLOBAL)
    make_flag("precedence_probe", percent=Decimal(0))
    assert decide() == (False, Reason.PERCENTAGE)
    make_flag("precedence_probe", roles=["student"])
    assert decide() == (True, Reason.ROLE)
    district = override("district", tenant_a.district, False)
    assert decide() == (False, Reason.DISTRICT_OVERRIDE)
    school = override("school", tenant_a.school, True)
    assert decide() == (True, Reason.SCHOOL_OVERRIDE)
    user = override("user", student, False)
    assert decide() == (False, Reason.USER_OVERRIDE)

    # when layers are removed top-down, then the next one down decides again
    for removed, expected in (
        (user, (True, Reason.SCHOOL_OVERRIDE)),
        (school, (False, Reason.DISTRICT_OVERRIDE)),
        (district, (True, Reason.ROLE)),
    ):
        services.delete_override(actor=superuser, override=removed, reason="precedence test")
        assert decide() == expected


def test_role_targeting_only_turns_the_flag_on_for_listed_roles(tenant_a, make_flag):
    make_flag("teacher_tools", everyone=False, roles=["teacher"])
    assert evaluate("teacher_tools", tenant_a.teacher) == evaluate(
        "teacher_tools", tenant_a.teacher
    )
    assert evaluate("teacher_tools", tenant_a.teacher).reason == Reason.ROLE
    assert evaluate("teacher_tools", tenant_a.teacher).active is True
    assert (
        evaluate("teacher_tools", tenant_a.student).active,
        evaluate("teacher_tools", tenant_a.student).reason,
    ) == (False, Reason.GLOBAL)


def test_overrides_do_not_leak_to_other_districts(tenant_a, tenant_b, superuser, make_flag):
    flag = make_flag("district_only", everyone=False, district_manageable=True)
    services.set_override(
        actor=tenant_a.district_admin,
        flag=flag,
        scope="district",
        target=tenant_a.district,
        active=True,
        reason="pilot in A",
    )
    assert flag_is_active("district_only", tenant_a.student) is True
    assert flag_is_active("district_only", tenant_a.teacher) is True
    assert evaluate("district_only", tenant_b.student).reason == Reason.GLOBAL
    assert flag_is_active("district_only", tenant_b.student) is False


def test_ten_percent_rollout_lands_within_one_point_and_is_stable_across_calls(make_flag):
    make_flag("rollout_probe", everyone=True, percent=Decimal(10))
    first = rollout_ids("rollout_probe")
    share = 100 * len(first) / SYNTHETIC_USERS
    assert 9.0 <= share <= 11.0, share
    assert rollout_ids("rollout_probe") == first


def test_raising_ten_to_twenty_percent_keeps_the_first_ten_percent_in(make_flag):
    make_flag("superset_probe", everyone=True, percent=Decimal(10))
    ten = rollout_ids("superset_probe")
    make_flag("superset_probe", percent=Decimal(20))
    twenty = rollout_ids("superset_probe")
    assert ten < twenty
    assert 19.0 <= 100 * len(twenty) / SYNTHETIC_USERS <= 21.0


def test_buckets_differ_between_flags_and_are_fixed_values():
    # sha256-based, so these never change between Python processes or releases
    assert bucket("video_generation", 1) == bucket("video_generation", 1)
    ids = range(1, 2001)
    assert [bucket("a_flag", pk) for pk in ids] != [bucket("b_flag", pk) for pk in ids]
    assert all(0 <= bucket("a_flag", pk) < 10_000 for pk in ids)


def test_zero_and_hundred_percent_are_none_and_all(make_flag):
    make_flag("none_probe", everyone=True, percent=Decimal(0))
    make_flag("all_probe", everyone=False, percent=Decimal(100))
    users = [synthetic_user(pk) for pk in range(1, 501)]
    assert not any(flag_is_active("none_probe", u) for u in users)
    assert all(flag_is_active("all_probe", u) for u in users)
    assert flag_is_active("all_probe", AnonymousUser()) is True
    assert flag_is_active("none_probe", None) is False


def test_default_flags_come_from_the_data_migration(db):
    rows = {f.name: f for f in Flag.objects.filter(name__in=DEFAULT_FLAGS)}
    assert set(rows) == set(DEFAULT_FLAGS)
    assert rows["video_generation"].everyone is True
    assert rows["video_generation"].percent == 100
    assert rows["advanced_reporting"].percent == 50
    assert rows["gamification"].everyone is False


def test_known_default_missing_from_database_answers_its_coded_default(tenant_a, superuser):
    # given the default rows are gone (as after a transactional test flush)
    for flag in Flag.objects.filter(name__in=DEFAULT_FLAGS):
        services.delete_flag(actor=superuser, flag=flag, reason="simulate flush")
    # then callers still get the coded defaults
    assert evaluate("video_generation", tenant_a.student) == evaluate(
        "video_generation", tenant_a.teacher
    )
    assert evaluate("video_generation", tenant_a.student).active is True
    assert evaluate("quizzes", tenant_a.student).reason == Reason.GLOBAL
    assert evaluate("advanced_analytics", tenant_a.student).active is False
    assert evaluate("gamification", tenant_a.student).active is False
    assert {d.key for d in evaluate_all(tenant_a.student)} >= set(DEFAULT_FLAGS)


def test_unknown_flag_is_inactive_with_unknown_reason(tenant_a):
    decision = evaluate("no_such_flag", tenant_a.student)
    assert (decision.active, decision.reason) == (False, Reason.UNKNOWN_FLAG)
    assert flag_is_active("no_such_flag", tenant_a.student) is False


@pytest.mark.parametrize("active_case", [True, False])
def test_waffle_tag_and_waffle_flag_is_active_use_the_same_evaluation(
    tenant_a, superuser, make_flag, active_case
):
    # given a flag that is globally off but forced per user
    flag = make_flag("waffle_probe", everyone=False)
    services.set_override(
        actor=superuser,
        flag=flag,
        scope="user",
        target=tenant_a.student,
        active=active_case,
        reason="waffle integration",
    )
    request = RequestFactory().get("/")
    request.user = tenant_a.student
    # when waffle's API and template tag are asked
    rendered = Template(
        '{% load waffle_tags %}{% flag "waffle_probe" %}ON{% else %}OFF{% endflag %}'
    ).render(Context({"request": request}))
    # then they agree with flags.evaluation, and waffle sets no cookie-percentage state
    assert waffle.flag_is_active(request, "waffle_probe") is active_case
    assert rendered == ("ON" if active_case else "OFF")
    assert not hasattr(request, "waffles")
