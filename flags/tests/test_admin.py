"""The flags admin over HTTP: district isolation, manageability, reasons, read-only audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flags import services
from flags.models import Flag, FlagAudit, FlagOverride


@pytest.fixture
def manageable(make_flag) -> Flag:
    return make_flag("pilot_feature", everyone=False, district_manageable=True)


@pytest.fixture
def overrides(tenant_a, tenant_b, superuser, manageable):
    """One school override per district, plus a superuser-only user override in A."""

    def make(scope, target):
        return services.set_override(
            actor=superuser,
            flag=manageable,
            scope=scope,
            target=target,
            active=True,
            reason="fixture",
        )

    return {
        "a": make("school", tenant_a.school),
        "b": make("school", tenant_b.school),
        "a_user": make("user", tenant_a.student),
    }


def _url(name, *args):
    return reverse(f"admin:flags_{name}", args=args)


def _add_payload(flag, scope, *, district="", school="", active=True, reason="pilot"):
    payload = {
        "flag": flag.pk,
        "scope": scope,
        "district": district,
        "school": school,
        "reason": reason,
    }
    if active:
        payload["active"] = "on"
    return payload


def test_district_admin_sees_only_own_district_overrides(client, tenant_a, overrides):
    client.force_login(tenant_a.district_admin)
    response = client.get(_url("flagoverride_changelist"))
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset)
    assert listed == {overrides["a"]}  # not B's, not the user-scoped one


@pytest.mark.parametrize("view_case", ["flagoverride_change", "flagoverride_delete"])
def test_district_admin_gets_404_for_another_districts_override(
    client, tenant_a, overrides, view_case
):
    client.force_login(tenant_a.district_admin)
    foreign = overrides["b"]
    assert client.get(_url(view_case, foreign.pk)).status_code == 404
    assert (
        client.post(
            _url(view_case, foreign.pk), {"post": "yes", "active": "", "reason": "x"}
        ).status_code
        == 404
    )
    assert FlagOverride.objects.filter(pk=foreign.pk, active=True).exists()


def test_district_admin_cannot_create_overrides_for_another_district(
    client, tenant_a, tenant_b, manageable
):
    client.force_login(tenant_a.district_admin)
    for payload in (
        _add_payload(manageable, "school", school=tenant_b.school.pk),
        _add_payload(manageable, "district", district=tenant_b.district.pk),
    ):
        response = client.post(_url("flagoverride_add"), payload)
        assert response.status_code == 200  # form redisplayed with errors
        assert response.context["adminform"].form.errors
    assert not FlagOverride.objects.exists()


def test_district_admin_choices_are_scoped(client, tenant_a, tenant_b, manageable, make_flag):
    make_flag("superuser_only", district_manageable=False)
    client.force_login(tenant_a.district_admin)
    form = client.get(_url("flagoverride_add")).context["adminform"].form
    assert list(form.fields["school"].queryset) == [tenant_a.school]
    assert list(form.fields["district"].queryset) == [tenant_a.district]
    assert "superuser_only" not in {f.name for f in form.fields["flag"].queryset}
    assert manageable in form.fields["flag"].queryset
    assert {value for value, _ in form.fields["scope"].choices} == {"", "district", "school"}
    assert "user" not in form.fields


def test_district_admin_creates_school_override_with_reason_in_audit(client, tenant_a, manageable):
    client.force_login(tenant_a.district_admin)
    response = client.post(
        _url("flagoverride_add"),
        _add_payload(manageable, "school", school=tenant_a.school.pk, reason="Spring pilot"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    override = FlagOverride.objects.get()
    assert (override.school, override.district, override.active) == (
        tenant_a.school,
        tenant_a.district,
        True,
    )
    audit = FlagAudit.objects.get(flag_key="pilot_feature", scope="school")
    assert (audit.actor, audit.reason, audit.new_value) == (
        tenant_a.district_admin,
        "Spring pilot",
        {"active": True},
    )


def test_reason_is_required(client, tenant_a, manageable):
    client.force_login(tenant_a.district_admin)
    response = client.post(
        _url("flagoverride_add"),
        _add_payload(manageable, "school", school=tenant_a.school.pk, reason=""),
    )
    assert "reason" in response.context["adminform"].form.errors


@pytest.mark.parametrize("role_case", ["school_admin", "teacher", "student"])
def test_other_roles_cannot_open_flag_admin(client, tenant_a, role_case):
    client.force_login(getattr(tenant_a, role_case))
    assert client.get(_url("flagoverride_changelist")).status_code in (302, 403)


def test_flags_themselves_are_superuser_only(client, tenant_a, superuser, manageable):
    client.force_login(tenant_a.district_admin)
    assert client.get(_url("flag_changelist")).status_code == 403
    client.force_login(superuser)
    response = client.post(
        _url("flag_change", manageable.pk),
        {
            "name": "pilot_feature",
            "percent": "120",
            "roles": ["teacher"],
            "note": "",
            "reason": "too much",
        },
    )
    assert "percent" in response.context["adminform"].form.errors
    response = client.post(
        _url("flag_change", manageable.pk),
        {
            "name": "pilot_feature",
            "everyone": "on",
            "percent": "25",
            "roles": ["teacher"],
            "district_manageable": "on",
            "note": "",
            "reason": "launch",
        },
    )
    assert response.status_code == 302
    manageable.refresh_from_db()
    assert (manageable.everyone, str(manageable.percent), manageable.roles) == (
        True,
        "25.00",
        ["teacher"],
    )
    audit = FlagAudit.objects.filter(flag_key="pilot_feature", action="update").latest("pk")
    assert audit.reason == "launch"
    assert audit.new_value == {"everyone": True, "percent": "25.00", "roles": ["teacher"]}


def test_audit_trail_is_read_only_for_everyone(client, tenant_a, superuser, overrides):
    entry = FlagAudit.objects.filter(scope="school", district_pk=tenant_a.district.pk).first()
    for user in (superuser, tenant_a.district_admin):
        client.force_login(user)
        assert client.get(_url("flagaudit_changelist")).status_code == 200
        assert client.get(_url("flagaudit_add")).status_code == 403
        assert (
            client.post(_url("flagaudit_change", entry.pk), {"reason": "rewritten"}).status_code
            == 403
        )
        assert client.post(_url("flagaudit_delete", entry.pk), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "fixture"
    # district admins see only their district's audit rows
    client.force_login(tenant_a.district_admin)
    rows = set(client.get(_url("flagaudit_changelist")).context["cl"].queryset)
    assert rows
    assert {row.district_pk for row in rows} == {tenant_a.district.pk}


def test_superuser_pages_render_and_superuser_sets_user_overrides(
    client, tenant_a, superuser, manageable
):
    client.force_login(superuser)
    for name in (
        "flag_changelist",
        "flag_add",
        "flagoverride_changelist",
        "flagoverride_add",
        "flagaudit_changelist",
    ):
        assert client.get(_url(name)).status_code == 200, name
    assert client.get(_url("flag_change", manageable.pk)).status_code == 200
    payload = {
        **_add_payload(manageable, "user", reason="beta tester"),
        "user": tenant_a.student.pk,
    }
    response = client.post(_url("flagoverride_add"), payload)
    assert response.status_code == 302
    override = FlagOverride.objects.get(scope="user")
    assert (override.user, override.district) == (tenant_a.student, tenant_a.district)
