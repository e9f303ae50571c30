"""Tenant-isolation sweep, generated from the URL conf (pages, admin, API) — nothing hand-listed.

District B's rows get primary keys above FOREIGN_PK_FLOOR (sequences are moved before B is built),
so a foreign pk can never collide with one of district A's rows, and any of them showing up in a
response body is unmistakable. Every URL with a path parameter is tried with B's pks of the models
the URL most plausibly addresses; collection URLs are POSTed with B's district/school/class ids.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.urls import URLPattern, URLResolver, get_resolver

FOREIGN_PK_FLOOR = 7_000_000
# Rows created while sweeping (sessions, audit rows, own-district creations) get ids from here.
SWEEP_PK_FLOOR = 30_000_000
DENIED = {401, 403, 404, 405}
SKIP_PREFIXES = ("static/", "media/", "__debug__/", "styleguide/")
# Views that are public by design, or log the user out / answer for anyone without tenant data.
PUBLIC_NAMES = {"healthz", "readyz", "login", "logout", "api-schema", "api-docs", "password_reset",
                "password_reset_done", "password_reset_complete", "metrics", "home",
                "token_obtain_pair", "token_refresh", "jwt-logout"}


def bump_sequences(floor: int = FOREIGN_PK_FLOOR) -> None:
    """Move every identity sequence to its own range above `floor`.

    Each table gets a distinct block of 10,000 ids, so a pk of one table never equals a pk of
    another (a foreign District pk cannot be mistaken for a Topic pk, nor found in a body by chance).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
        for index, (sequence,) in enumerate(cursor.fetchall()):
            start = floor + index * 10_000
            cursor.execute(f'ALTER SEQUENCE "{sequence}" RESTART WITH {start}')


def tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if hasattr(m, "tenant_policy")]


def foreign_objects(district) -> dict[type[models.Model], list[int]]:
    """pks of district B's rows, per tenant-owned model."""
    found = {}
    for model in tenant_models():
        lookup = model.tenant_policy.district
        pks = list(model._default_manager.filter(**{lookup: district.pk}).values_list("pk", flat=True)[:3])
        if pks:
            found[model] = pks
    return found


def tenant_snapshot(district) -> str:
    """A digest of every district-B row of every tenant-owned model (detects any change)."""
    digest = hashlib.sha256()
    for model in sorted(tenant_models(), key=lambda m: m._meta.label):
        rows = model._default_manager.filter(**{model.tenant_policy.district: district.pk}).order_by("pk")
        digest.update(model._meta.label.encode())
        digest.update(json.dumps(list(rows.values()), default=str, sort_keys=True).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "api/v1/lessons/{pk}/"
    name: str | None
    params: tuple[str, ...]
    admin_model: type[models.Model] | None = None


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + _template(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            template = prefix + _template(entry.pattern)
            params = tuple(re.findall(r"\{(\w+)\}", template))
            yield Route(template, entry.name, params)


def _template(pattern) -> str:
    text = str(pattern)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)  # re_path groups (DRF routers)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)  # path() converters
    return text.lstrip("^").rstrip("$").replace("\\", "")


def routes() -> list[Route]:
    found = []
    for route in _walk(get_resolver().url_patterns):
        if route.template.startswith(SKIP_PREFIXES) or route.name in PUBLIC_NAMES:
            continue
        if route.template.startswith("admin/"):
            continue  # admin object URLs are generated per registered model below
        found.append(route)
    for model in admin.site._registry:
        info = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        found.extend(Route(info + suffix, f"admin:{model._meta.model_name}", ("pk",), model)
                     for suffix in ("{pk}/change/", "{pk}/delete/", "{pk}/history/"))
        found.append(Route(info, f"admin:{model._meta.model_name}_changelist", ()))
        found.append(Route(info + "add/", f"admin:{model._meta.model_name}_add", ()))
    return found


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.split(r"[^a-z]+", text.lower()) if len(w) > 2}


def candidate_models(route: Route, available: dict) -> list[type[models.Model]]:
    """The B models a route's parameters most plausibly refer to (all of them if unclear)."""
    if route.admin_model is not None:
        return [route.admin_model] if route.admin_model in available else []
    hints = _words(route.template.split("{")[0].split("/")[-2] if "/" in route.template else route.template)
    hints |= {w for p in route.params for w in _words(p) if w not in {"pk", "id"}}
    synonyms = {"class": "classroom", "classe": "classroom", "request": "lessonrequest", "student": "user",
                "teacher": "user", "member": "user", "user": "user"}
    hints |= {synonyms[h] for h in list(hints) if h in synonyms}
    matched = [m for m in available if m._meta.model_name in hints or any(
        h and h in m._meta.model_name for h in hints)]
    return matched or list(available)


@dataclass
class Attempt:
    role: str
    method: str
    url: str
    status: int
    ok: bool
    reason: str = ""


@dataclass
class SweepReport:
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def failures(self) -> list[Attempt]:
        return [a for a in self.attempts if not a.ok]

    def summary(self) -> str:
        routes_tried = len({a.url.split("?")[0] for a in self.attempts})
        return (f"{len(self.attempts)} attempts over {routes_tried} URLs, "
                f"{len(self.failures)} failures")


def foreign_markers(tenant_b, pks: dict) -> list[str]:
    """Strings that must never appear in a district-A user's response."""
    markers = [tenant_b.student.email, tenant_b.teacher.email, tenant_b.school.name, tenant_b.classroom.join_code]
    markers += [str(pk) for values in pks.values() for pk in values]
    return markers


def is_denied(response, role: str) -> tuple[bool, str]:
    status = response.status_code
    if status in DENIED:
        return True, ""
    if status == 302:
        location = response.headers.get("Location", "")
        if "login" in location or location.rstrip("/").endswith("/admin"):
            return True, ""
        return False, f"redirect to {location}"
    return False, f"HTTP {status}"
