"""Every page, htmx fragment, form response, CSV export and email, rendered with hostile data, must be inert.

Pages come from the URL conf (like tests/isolation/sweep.py): a new route is swept without edits
here, and a route whose parameters this file cannot fill fails the test until it is taught. Each
page's forms and htmx controls are then submitted (htmx ones twice: as htmx and as a plain POST,
following redirects so flash messages render), each inside a savepoint that is rolled back. That
is how the needs-help "Dismiss" fragment is reached: on a1a5730 it came back as live markup.

For each payload (tests/security/hostile.py) every free-text value in the database is tainted,
and each response is checked: no element or event-handler attribute from the data, no htmx
attribute carrying it, no javascript: link, no evaluated template syntax, no server error, no CSV
cell a spreadsheet would run, and text shown inside regions where htmx is off (hx-disable).
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import re
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from django.utils.html import escape

from accounts import emails
from ingestion.library_status import forget as forget_library_status
from tests.isolation.sweep import _walk

from .hostile import (
    MARKERS,
    PAYLOADS,
    inspect,
    inspect_html,
    page_forms,
    submissions,
    taint_database,
)
from .world import build_world, users

pytestmark = pytest.mark.django_db

#: Who opens which part of the site (everything else: every role, signed out included).
ROLES_BY_PREFIX = [("student/", ["student"]), ("teacher/", ["teacher"]), ("district/", ["district_admin"]),
                   ("admin/", ["district_admin"]), ("api/", ["student", "teacher"]),
                   ("privacy/", ["student", "district_admin"])]
ALL_ROLES = ["anonymous", "student", "teacher", "district_admin"]
#: Routes not rendered here, with the reason.
NOT_RENDERED = {
    "media/{path}": "binary lesson media (HTTP Range), no markup",
    "metrics": "Prometheus text exposition for the scraper",
    "admin/r/{content_type_id}/{object_id}/": "redirect to an object's public URL",
    "admin/jsi18n/": "Django's static translation catalogue",
    "admin/autocomplete/": "JSON for admin select widgets",
    "styleguide/": "served only with DEBUG on",
    "admin/{url}": "the admin's catch-all (redirects or 404s, no data)",
    "admin/{app}/{model}/{rest}": "old admin address of a model that moved app (issue 16): a redirect, no data",
}
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


def _roles(template: str) -> list[str]:
    return next((roles for prefix, roles in ROLES_BY_PREFIX if template.startswith(prefix)), ALL_ROLES)


def _admin_model(template: str):
    """The registered model an admin URL belongs to (admin/<app_label>/<model_name>/...)."""
    parts = template.split("/")
    return next((m for m in admin.site._registry
                 if len(parts) > 3 and (m._meta.app_label, m._meta.model_name) == (parts[1], parts[2])), None)


def _values(template: str, name: str | None, param: str, world) -> list:
    """Candidate values for one path parameter (an unknown one fails the test: teach it here)."""
    objects, tokens = world.objects, world.tokens
    if template.startswith("admin/"):
        if param in {"object_id", "id"}:
            model = _admin_model(template)
            return list(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:1]) if model else []
        if param == "app_label":
            return sorted({m._meta.app_label for m in admin.site._registry})
    table = {
        ("student/", "pk"): world.requests, ("student/", "question_pk"): world.questions,
        ("student/", "action"): ["complete", "simpler", "another-interest"],
        ("student/", "slug"): [world.book_slug], ("student/", "number"): [world.chapter_number],
        ("student/", "topic_id"): [world.topic_id],
        ("teacher/", "pk"): [world.tenant.classroom.pk], ("teacher/", "student_pk"): [objects["student"]],
        ("teacher/", "lesson_pk"): world.lessons[:1], ("teacher/", "invitation_pk"): [objects["invitation"]],
        ("teacher/", "assignment_pk"): [objects["assignment"]], ("teacher/", "block_pk"): [objects["block"]],
        ("teacher/", "pin_pk"): [objects["pin"]],
        ("api/v1/classes/", "pk"): [world.tenant.classroom.pk], ("api/v1/classes/", "student_pk"): [objects["student"]],
        ("api/v1/lessons/requests/", "pk"): world.requests[:3], ("api/v1/lessons/", "pk"): world.lessons[:1],
        ("api/v1/feature-flags/", "key"): ["quizzes"],
        ("accounts/email/unsubscribe/", "token"): [tokens["unsubscribe"]],
        ("accounts/invitations/", "token"): [tokens["invitation"]],
        ("accounts/invitations/", "pk"): [objects["class_invitation"]],
        ("accounts/password/reset/", "uidb64"): [tokens["uidb64"]],
        ("accounts/password/reset/", "token"): [tokens["reset"]],
        ("privacy/exports/", "token"): [tokens["export"]],
    }
    for (prefix, key), values in table.items():
        if key == param and template.startswith(prefix):
            return values
    raise AssertionError(f"hostile render sweep: no value for {{{param}}} in {template!r}; add one to _values()")


def pages(world) -> list[tuple[str, str]]:
    """(role, url) for every route of the URL conf, admin included, with its parameters filled."""
    found = []
    for route in _walk(get_resolver().url_patterns):
        if route.template in NOT_RENDERED or route.name in NOT_RENDERED:
            continue
        if route.template.startswith("admin/") and route.name in {"login", "logout", "password_change",
                                                                  "password_change_done"}:
            continue
        lists = [_values(route.template, route.name, p, world) for p in route.params]
        combos = list(itertools.islice(itertools.product(*lists), 8)) if route.params else [()]
        for combo in combos:
            url = "/" + route.template.format(**dict(zip(route.params, combo, strict=True)))
            found.extend((role, url) for role in _roles(route.template))
    return found


class Sweep:
    """Renders pages and submits their forms for one payload, collecting verdicts."""

    def __init__(self, world, payload_key: str):
        self.world, self.key, self.payload = world, payload_key, PAYLOADS[payload_key]
        self.checked: Counter = Counter()
        self.reached: Counter = Counter()
        self.live: list[str] = []
        self.unfenced: dict[str, set[str]] = defaultdict(set)
        self.submitted: set[tuple] = set()
        self.followed: set[tuple] = set()
        self.post_hits: set[str] = set()
        self.post_only: set[str] = set()
        self.clients = {}

    def client(self, role: str) -> Client:
        if role not in self.clients:
            client = Client(raise_request_exception=False, HTTP_USER_AGENT=self.payload)
            user = users(self.world)[role]
            if user is not None:
                client.force_login(user)
            self.clients[role] = client
        return self.clients[role]

    def check(self, role: str, label: str, response, *, fragment: bool = False) -> None:
        kind, verdict = inspect(response, self.key, fragment=fragment)
        self.checked[kind or "empty"] += 1
        self.reached[label] += verdict.reached
        self.live += [f"{role} {label}: {problem}" for problem in verdict.live]
        for where in verdict.unfenced:
            self.unfenced[label.split("?", maxsplit=1)[0]].add(where)

    def get(self, role: str, url: str, *, htmx: bool = False, browsable: bool = False) -> None:
        headers = {**(HTMX if htmx else {}), **({"HTTP_ACCEPT": "text/html"} if browsable else {})}
        response = self.client(role).get(url, **headers)
        if response.status_code == 405 and not url.startswith("/api/"):
            self.post_only.add(re.sub(r"\d+", "#", url))
        self.check(role, f"GET {url}{' (htmx)' if htmx else ''}{' (browsable API)' if browsable else ''}",
                   response, fragment=htmx)
        if browsable:
            return
        if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", ""):
            self.crawl(role, url, response.content.decode())

    def crawl(self, role: str, page_url: str, html: str) -> None:
        found = page_forms(html)
        for form in found.forms:
            action = form.attrs.get("action") or page_url
            if not action.startswith("/") or (action.startswith("/admin/") and not re.search(
                    r"/(import|export|process_import)/$", action)):
                continue
            method = form.attrs.get("method", "get").lower()
            is_htmx = any(k in form.attrs for k in ("hx-post", "hx-get"))
            for data, uploads in submissions(form, self.payload):
                names = tuple(sorted(data)) + tuple(sorted(uploads))
                shape = (role, method, re.sub(r"\d+", "#", action), names, tuple(data.get("action", [])))
                if shape in self.submitted:
                    continue
                self.submitted.add(shape)
                for as_htmx in ([True, False] if is_htmx else [False]):
                    for names_in_file in ([self.payload, "Ada Lovelace"] if uploads else [""]):
                        self.submit(role, method, action, data, uploads, htmx=as_htmx, names=names_in_file)
        for attrs in found.hx:
            url = attrs.get("hx-get") or ""
            shape = (role, "hx-get", re.sub(r"\d+", "#", url.split("?")[0]))
            if url.startswith("/") and shape not in self.followed:
                self.followed.add(shape)
                query = {attrs["name"]: self.payload} if attrs.get("name") else {}
                response = self.client(role).get(url, query, **HTMX)
                self.check(role, f"GET {url} (htmx)", response, fragment=True)
        for href in found.links:
            parts = urlsplit(href)
            shape = (role, "link", re.sub(r"\d+", "#", parts.path), parts.query)
            if parts.query and href.startswith("/") and not href.startswith("/admin/") and shape not in self.followed:
                self.followed.add(shape)
                self.check(role, f"GET {href}", self.client(role).get(href))

    @staticmethod
    def _csv_upload(name: str) -> SimpleUploadedFile:
        """A roster/invitation CSV: hostile names (refused, shown back) or valid ones (the flow goes on)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # the test writes raw cells on purpose: an attacker's file
        writer.writerow(["email", "first_name", "last_name", "role", "school", "grade_level", "is_active",
                         "class_codes"])
        writer.writerow(["new.kid@student.school-a.edu", name, name, "student", "school-a.edu", "9", "1", ""])
        return SimpleUploadedFile("roster.csv", buffer.getvalue().encode(), content_type="text/csv")

    def submit(self, role: str, method: str, action: str, data: dict, uploads: list, *, htmx: bool,
               names: str = "") -> None:
        client = self.client(role)
        cookies = copy.deepcopy(client.cookies)
        saved = transaction.savepoint()
        try:
            if method == "get":
                response = client.get(action, data, follow=not htmx, **(HTMX if htmx else {}))
            else:
                body = {**data, **{field: self._csv_upload(names) for field in uploads}}
                response = client.post(action, body, follow=not htmx, **(HTMX if htmx else {}))
            self.post_hits.add(re.sub(r"\d+", "#", action))
            self.check(role, f"{method.upper()} {action}{' (htmx)' if htmx else ''}", response, fragment=htmx)
            if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", ""):
                # the next step of a flow (a CSV preview's confirm form), inside this savepoint
                self.crawl(role, response.request["PATH_INFO"], response.content.decode())
        finally:
            transaction.savepoint_rollback(saved)
            client.cookies = cookies


def _email_contexts(payload: str) -> dict[str, dict]:
    """Every email template with every {{ variable }} it uses set to the payload (URLs stay URLs)."""

    contexts = {}
    for template in sorted(emails.TEMPLATES):
        names = set()
        for suffix in (".subject.txt", ".txt", ".html"):
            source = (settings.BASE_DIR / "templates" / "email" / f"{template}{suffix}").read_text()
            names |= set(re.findall(r"\{\{\s*(\w+)", source))
        contexts[template] = {n: "https://v.test/x" if n.endswith("_url") else payload for n in names}
    return contexts


@pytest.fixture
def world(tenant_a, settings):
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "api_user_minute": "100000/m",
                                    "api_user_hour": "100000/h", "auth_ip": "100000/15m",
                                    "lesson_request": "100000/h"}
    return build_world(tenant_a)


@pytest.mark.parametrize("key", list(PAYLOADS))
def test_every_page_fragment_export_and_email_renders_hostile_data_inert(world, key, capsys):
    """One payload per test (each names its payload when it fails, and stays short)."""
    routes = pages(world)
    tainted = taint_database(PAYLOADS[key])
    forget_library_status()  # the banner's shared copy must show the tainted rows
    sweep = Sweep(world, key)
    for role, url in routes:
        sweep.get(role, url)
        if url.startswith("/api/v1/"):  # DRF's browsable API renders the same data as HTML
            sweep.get(role, url, browsable=True)
    for template, context in _email_contexts(PAYLOADS[key]).items():
        message = emails.build_message(template=template, to="kid@example.org", context=context)
        html = message.alternatives[0][0]
        verdict = inspect_html(html, key)
        sweep.checked["email"] += 1
        sweep.reached[f"email {template}"] += verdict.reached
        sweep.live += [f"email {template}: {p}" for p in verdict.live]
        assert PAYLOADS[key] in message.body, "plain-text part shows the name as typed"
        assert "\n" not in message.subject
    live = [f"[{key}] {problem}" for problem in sweep.live]
    unfenced = {f"[{key}] {label}": sorted(where) for label, where in sweep.unfenced.items()}
    reached = sum(1 for n in sweep.reached.values() if n)
    post_only_unreached = sweep.post_only - sweep.post_hits
    with capsys.disabled():
        print(f"\n[hostile render: {key}] {len(routes)} page×role GETs, {sum(sweep.checked.values())} responses "  # noqa: T201
              f"checked ({dict(sweep.checked)}); payload visible in {reached}; {len(live)} live; POST-only "
              f"routes not reached by a form: {sorted(post_only_unreached) or 'none'}")

    out = settings.BASE_DIR / "artifacts" / f"hostile-render-{key}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(["# live", *live, "# outside hx-disable",
                               *(f"{label}: {where}" for label, where in unfenced.items())]))
    assert tainted > 50
    assert live == []
    assert unfenced == {}
    assert post_only_unreached == set(), "every form-only route must be submitted from a page's form"
    assert reached > 50, "the payload must actually reach the pages"


def test_the_oracle_tells_live_from_inert():
    """The checks above can fail: live payloads are caught, escaped ones are not."""

    for key, payload in PAYLOADS.items():
        inert = inspect_html(f"<main hx-disable><p>{escape(payload)}</p></main>", key)
        assert (inert.live, inert.reached) == ([], 1), key
    assert inspect_html(f"<p>{PAYLOADS['img-onerror']}</p>", "img-onerror").live
    assert inspect_html(f"<p>{PAYLOADS['htmx']}</p>", "htmx").live
    assert inspect_html(f"<p>{PAYLOADS['script']}</p>", "script").live
    assert inspect_html(f"<a title='{PAYLOADS['quote-breakout']}'>x</a>", "quote-breakout").live
    assert inspect_html("<p>xss449</p>", "template").live
    assert inspect_html("<a href=\"javascript:alert('xss-url')\">x</a>", "script").live
    # htmx pages: user text outside hx-disable is reported; pages without htmx are not
    fenced = f"<script src='/static/vendor/htmx.min.js'></script><p>{MARKERS['script']}</p>"
    assert inspect_html(fenced, "script").unfenced
    assert not inspect_html(f"<p>{MARKERS['script']}</p>", "script").unfenced
