"""The admin permission matrix (issue 15, "Beyond the list"); the expectations live in admin_matrix.py.

Actors live in district A, school A1: a school admin, a district admin, a superuser, and a teacher and
a student who must be refused everywhere. Targets are rows of every admin model
in school A1, in school A2 of the same district, at district level and in district B, plus accounts of
every role (peers, superiors, superusers) and their sessions and lockouts. Every request that could
write runs inside a savepoint that is rolled back afterwards, so each check starts from the same rows;
a refused request must not write to any table.
"""

from __future__ import annotations

import copy
import logging
import time
import uuid
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, UserSession
from accounts.signals import SEEN_KEY
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    SchoolAdminFactory,
    StudentFactory,
    TeacherFactory,
)
from conftest import Tenant, _make_tenant
from schools.tests.factories import ClassroomFactory, EnrollmentFactory, SchoolFactory
from schools.tests.teacher_fixtures import make_lesson, make_request, make_topics

from . import admin_matrix as m
from .populate import Populator
from .sweep import bump_sequences

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW_PASSWORD = "Matrix-Password-77"
REFUSED_STATUSES = {403, 404}
GET_KINDS = ("change", "delete", "history")


class _Rollback(Exception):
    pass


class SchoolPopulator(Populator):
    """Like the sweep's Populator, but finds (or makes) rows of this school, not just this district."""

    def instance_of(self, model, depth: int = 0):
        policy = getattr(model, "tenant_policy", None)
        if model in self.known or policy is None or not policy.school:
            return super().instance_of(model, depth)
        existing = model._default_manager.filter(**{policy.school: self.tenant.school.pk}).first()
        if existing is None and depth < 4:
            existing = self.create(model, depth + 1)
        if existing is not None:
            self.known[model] = existing
        return existing


def _second_school(tenant_a) -> Tenant:
    school = SchoolFactory(district=tenant_a.district, name="School A2", domain="school-a2.edu")
    teacher = TeacherFactory(school=school, email="teacher@school-a2.edu")
    classroom = ClassroomFactory(school=school, name="Physics A2", teachers=[teacher])
    student = StudentFactory(school=school, email="student@student.school-a2.edu")
    EnrollmentFactory(classroom=classroom, student=student)
    return Tenant(district=tenant_a.district, school=school, classroom=classroom, student=student, teacher=teacher,
                  school_admin=SchoolAdminFactory(school=school, email="admin@school-a2.edu"),
                  district_admin=tenant_a.district_admin)


@pytest.fixture
def world(tenant_a):
    bump_sequences()  # distinct, long pks per table: a pk in a body cannot be mistaken for another
    tenant_b = _make_tenant("b")
    a2 = _second_school(tenant_a)
    superuser = User.objects.create_superuser("root@district-a.org", DEFAULT_PASSWORD, district=tenant_a.district)
    # accounts beside and above the actors
    SchoolAdminFactory(school=tenant_a.school, email="peer.admin@school-a.edu")
    User.objects.create_user("second.admin@district-a.org", DEFAULT_PASSWORD, role="district_admin",
                             district=tenant_a.district)
    User.objects.create_superuser("root2@district-a.org", DEFAULT_PASSWORD, district=tenant_a.district)
    topic = make_topics(1)[0]
    for tenant in (tenant_a, a2, tenant_b):
        SchoolPopulator(tenant).run()
        make_request(tenant.student, make_lesson(topic))
    for user in User.objects.all():
        key = f"matrix{user.pk:030d}"
        UserSession.objects.create(user=user, session_key=key[-40:], user_agent="matrix")
        AccessAttempt.objects.create(username=user.email, ip_address="203.0.113.7", user_agent="matrix",
                                     failures_since_start=9, get_data="", post_data="", http_accept="",
                                     path_info="/accounts/login/")
    for tenant in (tenant_a, a2, tenant_b):
        for role in ("student", "teacher", "school_admin"):
            Invitation.objects.create(email=f"{role}.{tenant.school.domain}@example.org", role=role,
                                      district=tenant.district, school=tenant.school,
                                      invited_by=tenant.district_admin, token_hash=uuid.uuid4().hex * 2,
                                      expires_at=timezone.now() + timedelta(days=7))
    actors = {"school_admin": tenant_a.school_admin, "district_admin": tenant_a.district_admin,
              "superuser": superuser, "teacher": tenant_a.teacher, "student": tenant_a.student}
    return {"actors": actors, "district": tenant_a.district.pk, "school": tenant_a.school.pk}


def _targets(world) -> dict[str, list[m.Target]]:
    """Per admin model: one row per location, and every row for the account-like models."""
    found: dict[str, list[m.Target]] = {}
    for label, model_admin in m.model_admins():
        rows = list(model_admin.model._default_manager.order_by("pk")[:400])
        seen: set = set()
        for obj in rows:
            location = m.locate(obj, world["district"], world["school"])
            if label in m.ACCOUNT_OF or label == "accounts.invitation":
                key = (location, obj.pk)
            else:
                key = location
            if key in seen:
                continue
            seen.add(key)
            found.setdefault(label, []).append(m.Target(obj, location, f"{label}#{obj.pk} ({location})"))
    return found


class Runner:
    def __init__(self, world):
        self.world = world
        self.targets = _targets(world)
        self.report = m.MatrixReport()
        self.clients = {role: self._client(actor) for role, actor in world["actors"].items()}

    @staticmethod
    def _client(actor) -> Client:
        client = Client(HTTP_USER_AGENT="admin-matrix")
        client.force_login(actor)
        client.get("/admin/")  # the devices-list row is written here, not inside a check
        session = client.session
        session[SEEN_KEY] = time.time() + 24 * 3600  # and its "last seen" is not refreshed mid-matrix
        session.save()
        return client

    # --- one request ------------------------------------------------------------------------------

    def attempt(self, role, method, url, data=None, *, allowed, describe, verify=None):
        """One request: check its status; a POST runs in a savepoint, must write nothing when refused,
        and is rolled back afterwards so every check starts from the same rows."""
        client = self.clients[role]
        if method == "get":
            try:
                response = client.get(url)
                problem = self._judge(role, method, response, [], allowed)
            except Exception as exc:  # noqa: BLE001 - a crash fails this check, not the whole matrix
                response, problem = None, f"raised {type(exc).__name__}: {exc}"
            return self._record(role, method, url, describe=describe, allowed=allowed, response=response,
                                problem=problem)
        cookies = copy.deepcopy(client.cookies)  # a rolled-back login session must not stick
        outcome = {}
        try:
            with transaction.atomic():
                before = m.write_counts()
                response = client.post(url, data or {})
                problem = self._judge(role, method, response, m.written_tables(before, m.write_counts()), allowed)
                if not problem and allowed and verify is not None:
                    problem = verify(response) or ""
                outcome.update(response=response, problem=problem)
                raise _Rollback
        except _Rollback:
            pass
        except Exception as exc:  # noqa: BLE001 - a crash fails this check, not the whole matrix
            outcome.update(response=None, problem=f"raised {type(exc).__name__}: {exc}")
        client.cookies = cookies
        return self._record(role, method, url, describe=describe, allowed=allowed, response=outcome["response"],
                            problem=outcome["problem"])

    def _record(self, role, method, url, *, describe, allowed, response, problem):
        self.report.record(not problem, allowed, url, f"{role} {method.upper()} {url} [{describe}]: {problem}")
        return response

    def _judge(self, role, method, response, changed, allowed) -> str:
        status = response.status_code
        location = response.headers.get("Location", "")
        if status >= 500:
            return f"server error {status}"
        if role in m.OUTSIDERS:
            if not (status == 302 and "/admin/login/" in location):
                return f"expected the admin login redirect, got {status} {location}"
        elif not allowed and method == "get" and not self._refusal(status, location):
            return f"expected a refusal, got {status} {location}"
        elif allowed and status in REFUSED_STATUSES:
            return f"expected access, got {status}"
        if not allowed and changed:
            return f"refused, yet rows changed in {changed}"
        return ""

    @staticmethod
    def _refusal(status: int, location: str) -> bool:
        return status in REFUSED_STATUSES or (status == 302 and location.rstrip("/").endswith(("/admin", "/login")))

    # --- the matrix ---------------------------------------------------------------------------------

    def run(self, roles=m.ROLES) -> m.MatrixReport:
        for label, model_admin in m.model_admins():
            assert label in m.EXPECTED, f"{label} has no row in admin_matrix.EXPECTED: add one"
            for role in roles:
                self.model_pages(role, label, model_admin)
                targets = self.targets.get(label, [])
                # outsiders are refused before any row is looked at: one target per model shows it
                for target in targets if role in m.STAFF else targets[:1]:
                    self.object_pages(role, label, model_admin, target)
                    for action in sorted(m.action_names(model_admin)):
                        self.report.actions.add((label, action))
                        self.run_action(role, label, action, target)
        for role in roles:
            self.site_pages(role)
        self.same_answer_for_foreign_and_missing([r for r in roles if r in ("school_admin", "district_admin")])
        return self.report

    def model_pages(self, role, label, model_admin):
        info = f"{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}"
        may_view = m.may(role, label, "v")
        response = self.attempt(role, "get", reverse(f"admin:{info}_changelist"), allowed=may_view,
                                describe="changelist")
        if may_view and response is not None and response.status_code == 200:
            shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
            for target in self.targets.get(label, []):
                expected = m.visible(role, target.location)
                self.report.record((target.obj.pk in shown) == expected, expected, response.request["PATH_INFO"],
                                   f"{role} changelist {label}: {target.label} {'missing' if expected else 'shown'}")
        add_url = reverse(f"admin:{info}_add")
        may_add = m.may(role, label, "a")
        self.attempt(role, "get", add_url, allowed=may_add, describe="add form")
        self.attempt(role, "post", add_url, {}, allowed=may_add, describe="add (empty)")
        for name, verb, method in self._custom_views(label, model_admin):
            self.attempt(role, method, reverse(f"admin:{name}"), {}, allowed=m.may(role, label, verb),
                         describe=f"custom view {name}")

    @staticmethod
    def _custom_views(label, model_admin):
        known = {"accounts_user_import": ("a", "get"), "accounts_user_process_import": ("a", "post"),
                 "accounts_user_export": ("v", "get"), "ingestion_start": ("v", "post")}
        for name in m.custom_urls(model_admin):
            assert name in known, f"custom admin view {name} of {label}: add it to the matrix"
            verb, method = known[name]
            yield name, verb, method

    def object_pages(self, role, label, model_admin, target):
        opts = model_admin.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        pk = target.obj.pk
        actor = self.world["actors"][role]
        may_view = m.may(role, label, "v", target, actor)
        may_change = m.may(role, label, "c", target, actor)
        may_delete = m.may(role, label, "d", target, actor)
        change_url = reverse(f"admin:{info}_change", args=[pk])
        page = self.attempt(role, "get", change_url, allowed=may_view, describe=target.label)
        if may_view and page is not None and page.status_code == 200:
            offered = bool(page.context.get("has_change_permission"))
            self.report.record(offered == may_change, may_change, change_url,
                               f"{role} {change_url}: editable={offered}, expected {may_change}")
        payload = self._payload(change_url, label, target)
        self.attempt(role, "post", change_url, payload, allowed=may_change, describe=f"save {target.label}",
                     verify=self._saved(target) if label == "accounts.user" else None)
        delete_url = reverse(f"admin:{info}_delete", args=[pk])
        confirm = self.attempt(role, "get", delete_url, allowed=may_delete, describe=f"confirm delete {target.label}")
        blocked = bool(confirm is not None and confirm.status_code == 200 and (
            confirm.context.get("perms_lacking") or confirm.context.get("protected")))
        self.attempt(role, "post", delete_url, {"post": "yes"}, allowed=may_delete and not blocked,
                     describe=f"delete {target.label}", verify=self._gone(target))
        self.attempt(role, "get", reverse(f"admin:{info}_history", args=[pk]), allowed=may_view,
                     describe=f"history {target.label}")
        if label == "accounts.user":
            password_url = reverse("admin:auth_user_password_change", args=[pk])
            self.attempt(role, "get", password_url, allowed=may_change, describe=f"password form {target.label}")
            self.attempt(role, "post", password_url,
                         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
                         allowed=may_change, describe=f"set password {target.label}", verify=self._password(target))

    def _payload(self, change_url, label, target) -> dict:
        """The superuser's view of the change form, as a browser would submit it (an attacker's best guess)."""
        cache = self.__dict__.setdefault("_payloads", {})
        if change_url not in cache:
            response = self.clients["superuser"].get(change_url)
            cache[change_url] = m.form_payload(response.content) if response.status_code == 200 else {}
        overrides = {"first_name": "Matrix"} if label == "accounts.user" else {}
        return {**cache[change_url], **overrides}

    # --- effects of allowed requests -----------------------------------------------------------------

    @staticmethod
    def _saved(target):
        def verify(response):
            if response.status_code != 302:
                errors = response.context["adminform"].form.errors if response.context else ""
                return f"save did not go through ({response.status_code}): {errors}"
            if User.objects.get(pk=target.obj.pk).first_name != "Matrix":
                return "saved, but the change is not in the database"
            return ""
        return verify

    @staticmethod
    def _gone(target):
        def verify(response):
            model = type(target.obj)
            return "" if not model._default_manager.filter(pk=target.obj.pk).exists() else "not deleted"
        return verify

    @staticmethod
    def _password(target):
        def verify(response):
            user = User.objects.get(pk=target.obj.pk)
            return "" if response.status_code == 302 and user.check_password(NEW_PASSWORD) else "password unchanged"
        return verify

    def _action_effect(self, label, action, target, role):
        obj = target.obj
        actor = self.world["actors"][role]
        model = type(obj)

        def fresh():
            return model._default_manager.filter(pk=obj.pk).first()

        checks = {
            ("accounts.user", "deactivate_users"):
                lambda: obj.pk == actor.pk or not fresh().is_active,
            ("accounts.user", "sign_out_everywhere"): lambda: fresh().token_version > obj.token_version,
            ("accounts.usersession", "revoke_sessions"): lambda: fresh() is None,
            ("axes.accessattempt", "clear_lockouts"): lambda: fresh() is None,
            ("accounts.invitation", "revoke_invitations"): lambda: fresh().revoked_at is not None,
        }
        check = checks.get((label, action))
        if check is None:
            return None
        return lambda response: "" if check() else f"{action} had no effect on {target.label}"

    def run_action(self, role, label, action, target):
        opts = type(target.obj)._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        actor = self.world["actors"][role]
        allowed = m.may_act(role, label, action, target, actor) and m.may(role, label, "v", target, actor)
        if allowed and action == "delete_selected":
            # Django refuses when related rows (sessions, audit rows) may not be deleted by this role:
            # that is the related model's rule, read from the confirmation page, not this one.
            confirm = self.clients[role].post(url, {"action": action, "_selected_action": [target.obj.pk]})
            allowed = not (confirm.status_code == 200 and (
                confirm.context.get("perms_lacking") or confirm.context.get("protected")))
        self.attempt(role, "post", url, {"action": action, "_selected_action": [target.obj.pk], "post": "yes",
                                         "index": "0"},
                     allowed=allowed, describe=f"action {action} on {target.label}",
                     verify=self._action_effect(label, action, target, role))

    # --- the site views ----------------------------------------------------------------------------

    def site_pages(self, role):
        staff = role in m.STAFF
        for url in (reverse("admin:index"), reverse("admin:password_change"), reverse("admin:jsi18n")):
            self.attempt(role, "get", url, allowed=staff, describe="site page")
        apps = {}
        for label, _model_admin in m.model_admins():
            apps.setdefault(label.split(".")[0], []).append(label)
        for app_label, labels in sorted(apps.items()):
            allowed = any(m.may(role, label, "v") for label in labels)
            self.attempt(role, "get", reverse("admin:app_list", args=[app_label]), allowed=allowed,
                         describe="app index")
        for label, model_admin in m.model_admins():
            for field_name in model_admin.autocomplete_fields:
                self.autocomplete(role, label, model_admin, field_name)

    def autocomplete(self, role, label, model_admin, field_name):
        opts = model_admin.model._meta
        url = (f"{reverse('admin:autocomplete')}?app_label={opts.app_label}&model_name={opts.model_name}"
               f"&field_name={field_name}&term=")
        related = opts.get_field(field_name).related_model
        allowed = m.may(role, label, "v") and m.may(role, related._meta.label_lower, "v")
        response = self.attempt(role, "get", url, allowed=allowed, describe="autocomplete")
        if allowed and response is not None and response.status_code == 200:
            ids = {int(row["id"]) for row in response.json()["results"]}
            for obj in related._default_manager.filter(pk__in=ids):
                location = m.locate(obj, self.world["district"], self.world["school"])
                self.report.record(m.visible(role, location), True, url,
                                   f"{role} autocomplete {label}.{field_name} offers {obj.pk} ({location})")

    def same_answer_for_foreign_and_missing(self, roles):
        """A row one cannot see and a row that does not exist get the same status and body."""
        for role in roles:
            client = self.clients[role]
            for label, model_admin in m.model_admins():
                opts = model_admin.model._meta
                hidden = [t for t in self.targets.get(label, []) if not m.visible(role, t.location)][:1]
                kinds = [f"admin:{opts.app_label}_{opts.model_name}_{kind}" for kind in GET_KINDS]
                if label == "accounts.user":
                    kinds.append("admin:auth_user_password_change")
                content_type = ContentType.objects.get_for_model(model_admin.model)
                for target in hidden:
                    urls = [(reverse(name, args=[target.obj.pk]), reverse(name, args=[m.MISSING_PK])) for name in kinds]
                    urls.append((reverse("admin:view_on_site", args=[content_type.pk, target.obj.pk]),
                                 reverse("admin:view_on_site", args=[content_type.pk, m.MISSING_PK])))
                    for foreign_url, missing_url in urls:
                        foreign, missing = client.get(foreign_url), client.get(missing_url)
                        same = (foreign.status_code == missing.status_code
                                and foreign.content.replace(str(target.obj.pk).encode(), b"#")
                                == missing.content.replace(str(m.MISSING_PK).encode(), b"#")
                                and foreign.headers.get("Location", "").replace(str(target.obj.pk), "#")
                                == missing.headers.get("Location", "").replace(str(m.MISSING_PK), "#"))
                        self.report.record(same, False, foreign_url,
                                           f"{role} {foreign_url}: {foreign.status_code} differs from a missing row "
                                           f"({missing.status_code} at {missing_url})")


@pytest.fixture
def logging_kept():
    """django-celery-beat's task form imports the task modules, and Celery's Django fixup then re-runs
    django.setup(), which re-configures logging onto this test's captured stderr (closed afterwards).
    Put every logger's handlers back as they were."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in list(logging.Logger.manager.loggerDict))]
    saved = [(logger, logger.handlers[:], logger.level) for logger in loggers]
    yield
    for logger, handlers, level in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)


@pytest.mark.parametrize("role", m.ROLES)
def test_admin_permission_matrix(world, role, settings, logging_kept, request):
    """One actor role per test: every admin URL and action against every target."""
    report = Runner(world).run(roles=[role])
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(f"\n[admin matrix: {role}] {report.summary()}")  # noqa: T201 - the count, like the tenant sweep's
    out = settings.BASE_DIR / "artifacts" / f"admin-matrix-{role}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report.summary() + "\n" + "\n".join(report.failures))
    assert report.checks > 200
    if role in m.STAFF:
        assert report.allowed > 100
    assert report.failures == []


def test_the_matrix_covers_every_admin_and_action():
    """A new ModelAdmin or action cannot slip past: each needs a row in the expected table."""
    missing = [label for label, _admin in m.model_admins() if label not in m.EXPECTED]
    assert missing == []
    unknown = [key for key in m.ACTION_ROLES if key[0] not in m.EXPECTED]
    assert unknown == []
    assert len(admin.site._registry) == len(m.EXPECTED)
