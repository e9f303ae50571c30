"""GET /api/v1/feature-flags/ and /api/v1/feature-flags/check/{key}."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flags import services
from flags.defaults import DEFAULT_FLAGS

CHECK = "/api/v1/feature-flags/check/"


def test_check_returns_key_active_and_deciding_rule(tenant_a, superuser, make_flag, api_client_for):
    flag = make_flag("api_probe", everyone=False)
    client = api_client_for(tenant_a.student)
    assert client.get(f"{CHECK}api_probe").json() == {
        "key": "api_probe",
        "active": False,
        "reason": "global",
    }
    services.set_override(
        actor=superuser,
        flag=flag,
        scope="district",
        target=tenant_a.district,
        active=True,
        reason="api test",
    )
    response = client.get(f"{CHECK}api_probe")
    assert response.status_code == 200
    assert response.json() == {"key": "api_probe", "active": True, "reason": "district_override"}


def test_list_returns_every_flag_for_the_user(tenant_a, make_flag, api_client_for):
    make_flag("teachers_only", everyone=False, roles=["teacher"])
    body = api_client_for(tenant_a.teacher).get("/api/v1/feature-flags/").json()
    by_key = {item["key"]: item for item in body}
    assert set(by_key) >= {*DEFAULT_FLAGS, "teachers_only"}
    assert by_key["teachers_only"] == {"key": "teachers_only", "active": True, "reason": "role"}
    assert by_key["video_generation"]["active"] is True
    assert by_key["gamification"] == {"key": "gamification", "active": False, "reason": "global"}


def test_unknown_key_is_a_json_404(tenant_a, api_client_for):
    response = api_client_for(tenant_a.student).get(f"{CHECK}no_such_flag")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Unknown feature flag 'no_such_flag'.",
        "code": "unknown_flag",
        "key": "no_such_flag",
    }


@pytest.mark.parametrize(
    "key_case",
    ["Video", "video-generation", "a%20b", "x/../y", "%00", "<script>", "a" * 65, "caf%C3%A9"],
)
def test_odd_keys_are_a_json_400(tenant_a, api_client_for, key_case):
    response = api_client_for(tenant_a.student).get(f"{CHECK}{key_case}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_flag_key"


def test_anonymous_requests_are_rejected(client):
    assert client.get(f"{CHECK}video_generation").status_code == 401
    assert client.get("/api/v1/feature-flags/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_warm_check_endpoint_queries_no_flag_tables(tenant_a, make_flag, api_client_for):
    make_flag("warm_probe", everyone=True, percent=Decimal(50))
    client = api_client_for(tenant_a.student)
    first = client.get(f"{CHECK}warm_probe").json()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(f"{CHECK}warm_probe").json() == first
        client.get("/api/v1/feature-flags/")
    # the only SQL left is authentication's user lookup
    assert not [q["sql"] for q in queries if "flags_" in q["sql"]]


def test_schema_for_flag_views_validates_without_warnings():
    out = io.StringIO()
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--urlconf",
        "flags.tests.schema_urls",
        stdout=out,
    )
    schema = out.getvalue()
    assert "/api/v1/feature-flags/check/{key}" in schema
    assert "feature_flags_list" in schema
