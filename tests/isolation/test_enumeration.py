"""A row you may not see and a row that does not exist answer alike (issue 15, the wider hunt).

For every page and API route with an id in its path (generated from the URL conf like the tenant
sweep; the admin has its own check in the admin matrix), every signed-in role of district A asks for
district B's row and for a row that does not exist, by GET and POST. Status and body must be the
same once the id itself is blanked out, or the difference tells an attacker what exists elsewhere.
Routes with several ids (a class and a student in it) keep the user's own row in the other places.
"""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import _make_tenant
from content.models import Lesson
from tests.support.teacher_fixtures import make_lesson, make_request, make_topics

from .populate import Populator
from .sweep import (
    SWEEP_PK_FLOOR,
    Route,
    _words,
    bump_sequences,
    candidate_models,
    foreign_objects,
    routes,
)

pytestmark = pytest.mark.django_db
ROLES = ["student", "teacher", "school_admin", "district_admin"]
NON_ID_PARAMS = {"key", "token", "uidb64", "path", "code", "slug", "format", "module_id", "app_label"}
MISSING = 987_654_321


@pytest.fixture
def worlds(tenant_a, settings):
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "api_user_minute": "100000/m",
                                    "api_user_hour": "100000/h", "auth_ip": "100000/15m"}
    bump_sequences()
    tenant_b = _make_tenant("b")
    Populator(tenant_b).run()
    [topic] = make_topics(1)
    theirs = make_request(tenant_b.student, make_lesson(topic)).lesson  # only district B's student got it
    ours = make_request(tenant_a.student, make_lesson(topic)).lesson
    Populator(tenant_a).run()
    bump_sequences(SWEEP_PK_FLOOR)
    return tenant_a, tenant_b, {Lesson: ([theirs.pk], [ours.pk])}


def _model_for(route: Route, param: str, available: dict):
    """The model a path parameter addresses, from the path segment before it (`classes/{pk}` → Classroom)."""
    segment = route.template.split("{" + param + "}")[0].rstrip("/").split("/")[-1]
    if not segment or segment.startswith("{"):
        return None  # e.g. lessons/{pk}/{action}: the action is a word, not a row
    found = candidate_models(Route(f"{segment}/{{{param}}}", route.name, (param,)), available)
    if len(found) == len(available):
        return None  # nothing in the path names a model
    hints = _words(segment) | _words(param) | {"classroom" if segment == "classes" else ""}
    exact = [m for m in found if m._meta.model_name in hints]
    return (exact or found)[0]


def _pk_text(value) -> bytes:
    return str(value).encode()


def test_foreign_and_missing_rows_get_the_same_answer(worlds, capsys):
    tenant_a, tenant_b, shared = worlds  # lessons have no tenant: "theirs" is one only B's student got
    foreign = foreign_objects(tenant_b.district) | {model: pks[0] for model, pks in shared.items()}
    mine = foreign_objects(tenant_a.district) | {model: pks[1] for model, pks in shared.items()}
    checked, differences = 0, []
    for role in ROLES:
        client = Client(HTTP_USER_AGENT="enumeration-sweep")
        client.force_login(getattr(tenant_a, role))
        own = {"schools.classroom": tenant_a.classroom.pk, "accounts.user": tenant_a.student.pk}
        for route in routes():
            if not route.params or set(route.params) & NON_ID_PARAMS or route.admin_model is not None:
                continue
            models_by_param = {p: _model_for(route, p, foreign) for p in route.params}
            for probed, model in models_by_param.items():
                if model is None:
                    continue
                values = {}
                for param, other in models_by_param.items():
                    if param != probed:
                        label = other._meta.label_lower if other else ""
                        values[param] = own.get(label) or (mine.get(other, [MISSING])[0] if other else MISSING)
                foreign_pk = foreign[model][0]
                foreign_url = "/" + route.template.format(**values, **{probed: foreign_pk})
                missing_url = "/" + route.template.format(**values, **{probed: MISSING})
                for method in ("get", "post"):
                    theirs = getattr(client, method)(foreign_url)
                    nothing = getattr(client, method)(missing_url)
                    checked += 1
                    same = (theirs.status_code == nothing.status_code
                            and _body(theirs).replace(_pk_text(foreign_pk), b"#")
                            == _body(nothing).replace(_pk_text(MISSING), b"#"))
                    if not same:
                        differences.append(f"{role} {method.upper()} {foreign_url}: {theirs.status_code} vs "
                                           f"{nothing.status_code} for a missing row")
    with capsys.disabled():
        print(f"\n[enumeration sweep] {checked} foreign/missing pairs, {len(differences)} differences")  # noqa: T201
    assert checked > 100
    assert differences == []


def _body(response) -> bytes:
    return b"" if response.streaming else response.content
