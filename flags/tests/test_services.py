"""Validation and the audit trail of flags.services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from flags import services
from flags.audit import audit_context
from flags.models import Flag, FlagAudit, FlagOverride


@pytest.mark.parametrize("percent_case", [Decimal("-0.01"), Decimal("100.01"), Decimal(250)])
def test_percent_outside_0_100_is_rejected(superuser, make_flag, percent_case):
    flag = make_flag("pct_probe", everyone=True)
    with pytest.raises(ValidationError) as error:
        services.update_flag(actor=superuser, flag=flag, percent=percent_case, reason="bad percent")
    assert "percent" in error.value.message_dict
    assert Flag.objects.get(name="pct_probe").percent is None


@pytest.mark.parametrize(
    "key_case", ["Bad Key", "video-generation", "../etc", "flag;drop", "é_flag", "", "x" * 65]
)
def test_odd_flag_keys_are_rejected(superuser, key_case):
    with pytest.raises(ValidationError) as error:
        services.save_flag(actor=superuser, flag=Flag(name=key_case), reason="odd key")
    assert "name" in error.value.message_dict
    assert not Flag.objects.filter(name=key_case).exists()


def test_unknown_scope_is_rejected(tenant_a, superuser, make_flag):
    flag = make_flag("scope_probe")
    with pytest.raises(ValidationError) as error:
        services.set_override(
            actor=superuser,
            flag=flag,
            scope="planet",
            target=tenant_a.district,
            active=True,
            reason="unknown scope",
        )
    assert "Unknown scope 'planet'" in error.value.message_dict["scope"][0]


def test_scope_and_target_must_match(tenant_a, superuser, make_flag):
    flag = make_flag("target_probe")
    with pytest.raises(ValidationError):
        services.set_override(
            actor=superuser,
            flag=flag,
            scope="school",
            target=tenant_a.district,
            active=True,
            reason="mismatch",
        )


def test_unknown_flag_settings_and_missing_reason_are_rejected(superuser, make_flag):
    flag = make_flag("settings_probe")
    with pytest.raises(ValidationError):
        services.update_flag(actor=superuser, flag=flag, colour="red", reason="x")
    with pytest.raises(ValidationError) as error:
        services.update_flag(actor=superuser, flag=flag, everyone=True, reason="  ")
    assert "reason" in error.value.message_dict


def test_district_admin_cannot_change_another_districts_override(tenant_a, tenant_b, make_flag):
    flag = make_flag("foreign_probe", district_manageable=True)
    for target, scope in ((tenant_b.district, "district"), (tenant_b.school, "school")):
        with pytest.raises(ValidationError) as error:
            services.set_override(
                actor=tenant_a.district_admin,
                flag=flag,
                scope=scope,
                target=target,
                active=True,
                reason="overreach",
            )
        assert "your own district" in str(error.value)
    # and cannot edit B's existing row by re-pointing it at A
    theirs = services.set_override(
        actor=tenant_b.district_admin,
        flag=flag,
        scope="school",
        target=tenant_b.school,
        active=True,
        reason="B pilot",
    )
    theirs.school = tenant_a.school
    with pytest.raises(ValidationError):
        services.save_override(actor=tenant_a.district_admin, override=theirs, reason="hijack")
    assert FlagOverride.objects.get(pk=theirs.pk).school == tenant_b.school


def test_district_admin_limits(tenant_a, make_flag):
    locked = make_flag("locked_probe", district_manageable=False)
    open_flag = make_flag("open_probe", district_manageable=True)
    with pytest.raises(ValidationError, match="not district-manageable"):
        services.set_override(
            actor=tenant_a.district_admin,
            flag=locked,
            scope="district",
            target=tenant_a.district,
            active=True,
            reason="x",
        )
    with pytest.raises(ValidationError, match="per-user"):
        services.set_override(
            actor=tenant_a.district_admin,
            flag=open_flag,
            scope="user",
            target=tenant_a.student,
            active=True,
            reason="x",
        )
    for role_user in (tenant_a.school_admin, tenant_a.teacher, tenant_a.student):
        with pytest.raises(PermissionDenied):
            services.set_override(
                actor=role_user,
                flag=open_flag,
                scope="school",
                target=tenant_a.school,
                active=True,
                reason="x",
            )
    with pytest.raises(PermissionDenied):
        services.update_flag(
            actor=tenant_a.district_admin, flag=open_flag, everyone=True, reason="x"
        )


def test_every_change_writes_an_audit_row(tenant_a, superuser, make_flag):
    # given a new flag (create), a rollout change (update), overrides (create/update/delete), a flag delete
    flag = make_flag("audited", everyone=False, district_manageable=True)
    services.update_flag(actor=superuser, flag=flag, percent=Decimal(10), reason="start rollout")
    services.update_flag(actor=superuser, flag=flag, percent=Decimal(20), reason="widen rollout")
    override = services.set_override(
        actor=tenant_a.district_admin,
        flag=flag,
        scope="school",
        target=tenant_a.school,
        active=True,
        reason="pilot school",
    )
    services.set_override(
        actor=tenant_a.district_admin,
        flag=flag,
        scope="school",
        target=tenant_a.school,
        active=False,
        reason="pause pilot",
    )
    services.delete_override(actor=superuser, override=override, reason="pilot over")
    services.delete_flag(actor=superuser, flag=flag, reason="retired")

    rows = list(FlagAudit.objects.filter(flag_key="audited").order_by("pk"))
    summary = [(r.action, r.scope, r.old_value, r.new_value, r.reason, r.actor_email) for r in rows]
    assert summary[0][:2] == ("create", "global")
    assert summary[1:] == [
        (
            "update",
            "global",
            {"percent": None},
            {"percent": "10.00"},
            "start rollout",
            superuser.email,
        ),
        (
            "update",
            "global",
            {"percent": "10.00"},
            {"percent": "20.00"},
            "widen rollout",
            superuser.email,
        ),
        ("create", "school", None, {"active": True}, "pilot school", tenant_a.district_admin.email),
        (
            "update",
            "school",
            {"active": True},
            {"active": False},
            "pause pilot",
            tenant_a.district_admin.email,
        ),
        ("delete", "school", {"active": False}, None, "pilot over", superuser.email),
        ("delete", "global", summary[-1][2], None, "retired", superuser.email),
    ]
    school_rows = [r for r in rows if r.scope == "school"]
    assert {(r.district_pk, r.school_pk, r.target) for r in school_rows} == {
        (tenant_a.district.pk, tenant_a.school.pk, str(tenant_a.school))
    }


def test_unchanged_save_writes_no_audit_row_and_shell_changes_are_still_audited(
    superuser, make_flag
):
    flag = make_flag("quiet_probe", everyone=False)
    before = FlagAudit.objects.count()
    services.save_flag(actor=superuser, flag=flag, reason="no-op")
    assert FlagAudit.objects.count() == before
    # a direct ORM change (e.g. from the shell) is audited too, without an actor unless given
    with audit_context(actor=superuser, reason="shell fix"):
        flag.everyone = True
        flag.save()
    flag.note = "anonymous edit"
    flag.save()
    last_two = list(FlagAudit.objects.filter(flag_key="quiet_probe").order_by("-pk")[:2])
    assert (last_two[1].reason, last_two[1].actor) == ("shell fix", superuser)
    assert (last_two[0].reason, last_two[0].actor, last_two[0].new_value) == (
        "",
        None,
        {"note": "anonymous edit"},
    )
