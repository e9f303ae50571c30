"""Admin permission matrix: every admin URL × every role × targets here, next door and in another district.

The URLs come from the admin site itself (each registered ModelAdmin's changelist, add, change, delete,
history and custom views, every action any role can see, and the site views), so a new admin or action
is covered without editing this file; only its row in EXPECTED must be written, and a missing row fails.

What each role may do is written down once, below, independently of the code under test:
- EXPECTED: per admin model, the verbs (v)iew, (a)dd, (c)hange, (d)elete each staff role holds;
- ACTION_ROLES: per action, the roles that may run it;
- MAY_MANAGE: the roles each admin may act on (issue 15, finding 2), for the models whose rows are
  accounts (User) or hang off one (sessions, lockouts, invitations).
Where a row may be seen is the tenant rule: school admins their school, district admins their district,
superusers everything. Teachers and students are refused every admin URL (anonymous visitors: tenant sweep).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
from django.contrib import admin
from django.db import connection, models

from accounts.models import User

STAFF = ("school_admin", "district_admin", "superuser")
OUTSIDERS = ("teacher", "student")
ROLES = STAFF + OUTSIDERS
# where a target row sits, seen from district A / school A1 (the actors' home)
SCHOOL, OTHER_SCHOOL, DISTRICT, OTHER_DISTRICT, GLOBAL, UNREACHED = (
    "same school", "other school", "district level", "other district", "global", "reached by no tenant")
MISSING_PK = 987_654_321

SA, DA, SU = STAFF


def _verbs(school_admin: str, district_admin: str, superuser: str) -> dict[str, str]:
    return {SA: school_admin, DA: district_admin, SU: superuser}


_READ_ONLY = _verbs("v", "v", "v")
_SUPERUSER_ONLY = _verbs("", "", "vacd")
EXPECTED: dict[str, dict[str, str]] = {
    # accounts
    "accounts.user": _verbs("vacd", "vacd", "vacd"),  # c/d further limited by MAY_MANAGE
    "accounts.securityevent": _READ_ONLY,
    "accounts.usersession": _READ_ONLY,
    "accounts.invitation": _verbs("vd", "vd", "vd"),  # d limited by the invitation's role
    "accounts.interest": _verbs("v", "v", "vacd"),
    "accounts.studentdataaccess": _READ_ONLY,
    "accounts.dataexport": _verbs("", "vad", "vad"),
    "accounts.deletioncertificate": _READ_ONLY,
    "accounts.consentrecord": _verbs("vacd", "vacd", "vacd"),
    "accounts.districtprivacysettings": _verbs("", "vacd", "vacd"),
    "accounts.retentionrun": _verbs("", "", "v"),
    "axes.accessattempt": _READ_ONLY,
    "axes.accessfailurelog": _READ_ONLY,
    # schools
    "schools.district": _verbs("v", "v", "vacd"),
    "schools.school": _verbs("v", "vacd", "vacd"),
    "schools.classroom": _verbs("vacd", "vacd", "vacd"),
    "schools.enrollment": _verbs("vacd", "vacd", "vacd"),
    # content
    "content.assignment": _verbs("v", "v", "vacd"),
    "content.lessonblock": _verbs("v", "v", "vacd"),
    "content.pinnedlesson": _verbs("v", "v", "vacd"),
    "content.moderationreview": _verbs("vc", "vc", "vc"),
    "content.lessonrequest": _READ_ONLY,
    "content.lesson": _READ_ONLY,
    "content.safetyevent": _READ_ONLY,
    "content.providercall": _READ_ONLY,
    "content.districtbudget": _verbs("v", "vacd", "vacd"),
    # flags
    "flags.flag": _SUPERUSER_ONLY,
    "flags.flagoverride": _verbs("", "vacd", "vacd"),
    "flags.flagaudit": _verbs("", "v", "v"),
    # ingestion (global, read-only; superusers start runs)
    "ingestion.ingestionrun": _verbs("", "", "v"),
    "ingestion.indexversion": _verbs("", "", "v"),
    "ingestion.practiceitem": _verbs("", "", "v"),
    "ingestion.librarybook": _verbs("", "", "v"),  # superusers retry a failed book (an action)
    # third-party admins: superusers only
    "auth.group": _SUPERUSER_ONLY,
    "token_blacklist.outstandingtoken": _verbs("", "", "v"),
    "token_blacklist.blacklistedtoken": _SUPERUSER_ONLY,
    "django_celery_results.taskresult": _SUPERUSER_ONLY,
    "django_celery_results.groupresult": _SUPERUSER_ONLY,
    "django_celery_beat.periodictask": _SUPERUSER_ONLY,
    "django_celery_beat.clockedschedule": _SUPERUSER_ONLY,
    "django_celery_beat.crontabschedule": _SUPERUSER_ONLY,
    "django_celery_beat.solarschedule": _SUPERUSER_ONLY,
    "django_celery_beat.intervalschedule": _SUPERUSER_ONLY,
    "waffle.sample": _SUPERUSER_ONLY,
    "waffle.switch": _SUPERUSER_ONLY,
}

_STAFF_SET = frozenset(STAFF)
ACTION_ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("accounts.user", "deactivate_users"): _STAFF_SET,
    ("accounts.user", "sign_out_everywhere"): _STAFF_SET,
    ("accounts.user", "delete_selected"): _STAFF_SET,
    ("accounts.user", "export_student_data"): frozenset({DA, SU}),
    ("accounts.user", "soft_delete_students"): frozenset({DA, SU}),
    ("accounts.user", "restore_students"): frozenset({DA, SU}),
    ("accounts.usersession", "revoke_sessions"): _STAFF_SET,
    ("accounts.invitation", "revoke_invitations"): _STAFF_SET,
    ("accounts.invitation", "delete_selected"): _STAFF_SET,
    ("axes.accessattempt", "clear_lockouts"): _STAFF_SET,
    ("content.moderationreview", "mark_reviewed"): _STAFF_SET,
    ("schools.classroom", "delete_selected"): _STAFF_SET,
    ("schools.enrollment", "delete_selected"): _STAFF_SET,
    ("schools.school", "delete_selected"): frozenset({DA, SU}),
    ("accounts.consentrecord", "delete_selected"): _STAFF_SET,
    ("accounts.districtprivacysettings", "delete_selected"): frozenset({DA, SU}),
    ("accounts.dataexport", "delete_selected"): frozenset({DA, SU}),
    ("content.districtbudget", "delete_selected"): frozenset({DA, SU}),
    ("flags.flagoverride", "delete_selected"): frozenset({DA, SU}),
}
SUPERUSER_ONLY_ACTION = frozenset({SU})  # every action not listed above (superuser models, ingestion)

# Finding 2: the roles an admin may act on (besides themselves); never a superuser.
MAY_MANAGE: dict[str, frozenset[str]] = {
    SA: frozenset({"student", "teacher"}),
    DA: frozenset({"student", "teacher", "school_admin"}),
}
# Models whose rows are (or belong to) an account: acting on the row is acting on the account.
ACCOUNT_OF: dict[str, Callable] = {
    "accounts.user": lambda obj: obj,
    "accounts.usersession": lambda obj: obj.user,
    "axes.accessattempt": lambda obj: _user_by_email(obj.username),
}
# Rows with no tenant of their own, placed where the row that reaches them is (a lesson: its request).
LOCATED_BY: dict[str, Callable] = {
    "content.lesson": lambda obj: obj.requests.order_by("pk").first(),
}
# Invitations: only for a role the admin may assign.
ASSIGNABLE: dict[str, frozenset[str]] = {SA: frozenset({"student", "teacher"}),
                                         DA: frozenset({"student", "teacher", "school_admin"})}


def _user_by_email(email: str):
    return User.objects.filter(email__iexact=email).first()


# --- the expectation --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    obj: models.Model
    location: str
    label: str


def visible(role: str, location: str) -> bool:
    if role == SU or location == GLOBAL:
        return True
    if location == UNREACHED:
        return False
    if role == DA:
        return location in {SCHOOL, OTHER_SCHOOL, DISTRICT}
    return role == SA and location == SCHOOL


def may(role: str, label: str, verb: str, target: Target | None = None, actor=None) -> bool:
    """The expected answer: may `role` use `verb` on this admin model (and this row)?"""
    if role not in STAFF:
        return False
    if verb not in EXPECTED[label][role]:
        return False
    if target is None:
        return True
    if not visible(role, target.location):
        return False
    if verb in "cd" or verb == "act":
        return _may_touch(role, label, target.obj, actor)
    return True


def may_act(role: str, label: str, action: str, target: Target, actor) -> bool:
    roles = ACTION_ROLES.get((label, action), SUPERUSER_ONLY_ACTION)
    return role in roles and visible(role, target.location) and _may_touch(role, label, target.obj, actor)


def _may_touch(role: str, label: str, obj, actor) -> bool:
    if role == SU:
        return True
    if label in ACCOUNT_OF:
        account = ACCOUNT_OF[label](obj)
        if account is None:
            return False
        if account.pk == actor.pk:
            return True
        return not account.is_superuser and account.role in MAY_MANAGE[role]
    if label == "accounts.invitation":
        return obj.role in ASSIGNABLE[role]
    return True


# --- where rows are -----------------------------------------------------------------------------------

def locate(obj, home_district_id: int, home_school_id: int) -> str:
    """SCHOOL / OTHER_SCHOOL / DISTRICT / OTHER_DISTRICT for tenant rows (GLOBAL otherwise)."""
    label = obj._meta.label_lower
    via = LOCATED_BY.get(label) or (ACCOUNT_OF.get(label) if label != "accounts.user" else None)
    if via is not None:
        holder = via(obj)
        return locate(holder, home_district_id, home_school_id) if holder is not None else UNREACHED
    policy = getattr(type(obj), "tenant_policy", None)
    if policy is None:
        return GLOBAL
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    districts = set(rows.values_list(policy.district, flat=True))
    if home_district_id not in districts:
        return OTHER_DISTRICT
    schools = set(rows.values_list(policy.school, flat=True)) - {None} if policy.school else set()
    if home_school_id in schools:
        return SCHOOL
    return OTHER_SCHOOL if schools else DISTRICT


# --- the URLs -------------------------------------------------------------------------------------------

def model_admins() -> list[tuple[str, admin.ModelAdmin]]:
    return sorted(((model._meta.label_lower, model_admin) for model, model_admin in admin.site._registry.items()),
                  key=lambda pair: pair[0])


def action_names(model_admin) -> set[str]:
    """Every action any role could be offered (class actions, site-wide ones like delete_selected)."""
    return {name for _func, name, _desc in model_admin._get_base_actions()}


def custom_urls(model_admin) -> list[tuple[str, str]]:
    """(url name, method) of a ModelAdmin's own views beyond the standard five."""
    info = (model_admin.model._meta.app_label, model_admin.model._meta.model_name)
    standard = {f"{info[0]}_{info[1]}_{kind}" for kind in ("changelist", "add", "history", "delete", "change")}
    found = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if name and name not in standard and "<" not in str(pattern.pattern):
            found.append(name)
    return found


# --- row writes --------------------------------------------------------------------------------------

# Writes no request is judged by: session payloads, and the access audit (an admin opening a
# profile is recorded even when the change is then refused).
UNJUDGED_TABLES = frozenset({"django_session", "accounts_studentdataaccess"})


def write_counts() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table (Postgres's own count:
    a refused request must not write at all, not even an UPDATE that leaves a row as it was)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        return {table: count for table, count in cursor.fetchall() if table not in UNJUDGED_TABLES}


def written_tables(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(t for t, count in after.items() if count != before.get(t, 0))


# --- forms ------------------------------------------------------------------------------------------------

def form_payload(html: bytes, **overrides) -> dict:
    """What a browser would submit from the admin's change form (lxml does the form semantics)."""
    document = lxml.html.fromstring(html)
    forms = [f for f in document.forms if (f.get("id") or "").endswith("_form")]
    data: dict[str, list[str]] = {}
    for name, value in (forms[0].form_values() if forms else []):
        data.setdefault(name, []).append(value)
    payload = {name: values if len(values) > 1 else values[0] for name, values in data.items()}
    payload.update(overrides)
    return payload


def path_words(url: str) -> str:
    return re.sub(r"\d+", "{pk}", url)


@dataclass
class MatrixReport:
    checks: int = 0
    allowed: int = 0
    refused: int = 0
    urls: set[str] = field(default_factory=set)
    actions: set[tuple[str, str]] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    def record(self, ok: bool, allowed: bool, url: str, message: str) -> None:
        self.checks += 1
        self.urls.add(path_words(url.split("?", maxsplit=1)[0]))
        if allowed:
            self.allowed += 1
        else:
            self.refused += 1
        if not ok:
            self.failures.append(message)

    def summary(self) -> str:
        return (f"{self.checks} checks ({self.allowed} allowed, {self.refused} refused) over {len(self.urls)} "
                f"admin URLs and {len(self.actions)} actions × {len(ROLES)} roles; {len(self.failures)} failures")

