"""Every page, admin URL and API endpoint, for every role of district A, against district B's objects.

Generated from the URL conf (see sweep.py): a new endpoint is covered without anyone adding it here.
Each attempt must end 401/403/404/405 (or a redirect to login) with no foreign id in the body and
no district-B row changed; collection endpoints POSTed with B's ids must not create rows in B.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from conftest import _make_tenant

from .populate import Populator
from .sweep import (
    SWEEP_PK_FLOOR,
    Attempt,
    SweepReport,
    bump_sequences,
    candidate_models,
    foreign_markers,
    foreign_objects,
    is_denied,
    routes,
    tenant_snapshot,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "student", "teacher", "school_admin", "district_admin"]
METHODS = ["get", "post", "patch", "delete"]
NON_ID_PARAMS = {"key", "token", "uidb64", "path", "code", "slug", "format", "module_id", "app_label"}


@pytest.fixture
def two_tenants(tenant_a, settings):
    # Generous limits: this sweep is about isolation, not throttling (a 429 would hide a leak).
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "api_user_minute": "100000/m",
                                    "api_user_hour": "100000/h", "auth_ip": "100000/15m",
                                    "lesson_request": "100000/h"}
    bump_sequences()
    tenant_b = _make_tenant("b")
    skipped = Populator(tenant_b).run()
    bump_sequences(SWEEP_PK_FLOOR)
    return tenant_a, tenant_b, skipped


def _client_for(role: str, tenant) -> Client:
    client = Client(HTTP_USER_AGENT="tenant-sweep")
    if role != "anonymous":
        client.force_login(getattr(tenant, role))
    return client


def _foreign_payload(tenant_b) -> dict:
    ids = {"district": tenant_b.district.pk, "district_id": tenant_b.district.pk, "school": tenant_b.school.pk,
           "school_id": tenant_b.school.pk, "classroom": tenant_b.classroom.pk,
           "classroom_id": tenant_b.classroom.pk, "student": tenant_b.student.pk,
           "student_id": tenant_b.student.pk, "user": tenant_b.student.pk, "teacher": tenant_b.teacher.pk}
    return {**ids, "name": "Sweep intruder", "title": "Sweep intruder", "email": "intruder@example.org"}


def run_sweep(tenant_a, tenant_b) -> SweepReport:
    report = SweepReport()
    available = foreign_objects(tenant_b.district)
    markers = foreign_markers(tenant_b, available)
    before = tenant_snapshot(tenant_b.district)
    for role in ROLES:
        client = _client_for(role, tenant_a)
        for route in routes():
            if set(route.params) & NON_ID_PARAMS:
                continue
            if route.params:
                for model in candidate_models(route, available)[:6]:
                    url = "/" + route.template.format(**dict.fromkeys(route.params, available[model][0]))
                    for method in METHODS:
                        response = getattr(client, method)(url, data=_foreign_payload(tenant_b),
                                                           content_type="application/json") \
                            if method != "get" else client.get(url)
                        ok, reason = is_denied(response, role)
                        body = response.content.decode(errors="ignore") if not response.streaming else ""
                        leaked = [m for m in markers if m and m in body]
                        if leaked and response.status_code != 404:
                            ok, reason = False, f"foreign data in body: {leaked[:3]}"
                        report.attempts.append(_attempt(role, method, url, response, ok, reason))
            else:
                url = "/" + route.template
                response = client.get(url)
                body = response.content.decode(errors="ignore") if not response.streaming else ""
                leaked = [m for m in markers if m and m in body]
                ok = response.status_code < 500 and not leaked
                report.attempts.append(_attempt(role, "get", url, response, ok,
                                                f"foreign data in body: {leaked[:3]}" if leaked else ""))
                response = client.post(url, data=_foreign_payload(tenant_b), content_type="application/json")
                changed = tenant_snapshot(tenant_b.district) != before
                ok = response.status_code < 500 and not changed
                report.attempts.append(_attempt(role, "post", url, response, ok,
                                                "district B rows changed" if changed else ""))
                if changed:
                    before = tenant_snapshot(tenant_b.district)
    if tenant_snapshot(tenant_b.district) != before:
        report.attempts.append(_attempt("all", "-", "-", None, False, "district B rows changed"))
    return report


def _attempt(role, method, url, response, ok, reason):  # noqa: PLR0917

    status = response.status_code if response is not None else 0
    if status >= 500:
        ok, reason = False, f"server error {status}"
    return Attempt(role, method, url, status, ok, reason)


def test_no_role_of_district_a_can_touch_district_b(two_tenants, capsys):
    tenant_a, tenant_b, skipped = two_tenants
    report = run_sweep(tenant_a, tenant_b)
    with capsys.disabled():
        print(f"\n[tenant sweep] {report.summary()}; models without a B row: {sorted(skipped) or 'none'}")  # noqa: T201
    out = settings.BASE_DIR / "artifacts" / "tenant-sweep.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(f"{a.role} {a.method.upper()} {a.url} -> {a.status} {a.reason}"
                             for a in report.attempts))
    assert len(report.attempts) > 200
    failures = [f"{a.role} {a.method.upper()} {a.url} -> {a.status} {a.reason}" for a in report.failures]
    assert failures == []
