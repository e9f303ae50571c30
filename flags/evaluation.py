"""Feature-flag evaluation: the one answer used by views, templates (waffle's `{% flag %}`), the
API and Celery tasks. Callers use `flag_is_active(key, user)` or `evaluate(key, user)`.

Precedence, first matching rule wins (the `reason` names it):

1. ``user_override``     — the user is forced on/off (beta testers).
2. ``school_override``   — the user's school has an override.
3. ``district_override`` — the user's district has an override.
4. ``role``              — the flag targets the user's role: on.
5. ``percentage``        — a rollout percentage is set: on iff the user's bucket is below it.
   Bucket = sha256("<key>:<user id>") mod 10 000, so it is stable across requests, devices and
   processes, differs per flag, and raising 10% → 20% keeps the first 10% in. Anonymous users
   are only in a 100% rollout.
6. ``global``            — the flag's "on globally" value.

Unknown keys answer ``unknown_flag`` (inactive). A known default flag missing from the database
answers from its coded default (`flags.defaults`). Evaluation reads a Redis-cached snapshot, so it
costs no SQL on a warm cache; see `flags.cache`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from . import cache as flag_cache
from .defaults import DEFAULT_FLAGS

logger = logging.getLogger(__name__)

BUCKETS = 10_000


class Reason(StrEnum):
    USER_OVERRIDE = "user_override"
    SCHOOL_OVERRIDE = "school_override"
    DISTRICT_OVERRIDE = "district_override"
    ROLE = "role"
    PERCENTAGE = "percentage"
    GLOBAL = "global"
    UNKNOWN_FLAG = "unknown_flag"


@dataclass(frozen=True)
class FlagDecision:
    key: str
    active: bool
    reason: Reason


@dataclass(frozen=True)
class FlagRule:
    everyone: bool
    percent_bp: int | None  # basis points: 10% = 1000
    roles: frozenset[str]
    users: dict[int, bool]
    schools: dict[int, bool]
    districts: dict[int, bool]


def bucket(key: str, user_id: Any) -> int:
    """The user's stable rollout bucket for this flag, 0–9999."""
    digest = hashlib.sha256(f"{key}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def in_rollout(key: str, user_id: Any, percent_bp: int) -> bool:
    if percent_bp >= BUCKETS:
        return True
    return user_id is not None and bucket(key, user_id) < percent_bp


def _compile(data: dict[str, Any]) -> dict[str, FlagRule]:
    flags = dict(data["flags"])
    for key, default in DEFAULT_FLAGS.items():
        if key not in flags:
            flags[key] = {
                "everyone": default.everyone,
                "percent_bp": None if default.percent is None else int(default.percent * 100),
                "roles": [],
            }
    overrides = data["overrides"]
    return {
        key: FlagRule(
            everyone=spec["everyone"],
            percent_bp=spec["percent_bp"],
            roles=frozenset(spec["roles"]),
            users=overrides["user"].get(key, {}),
            schools=overrides["school"].get(key, {}),
            districts=overrides["district"].get(key, {}),
        )
        for key, spec in flags.items()
    }


def _snapshot() -> dict[str, FlagRule]:
    return flag_cache.get_snapshot(_compile)


def _decide(key: str, rule: FlagRule, user: Any) -> FlagDecision:
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    user_id = user.pk if authenticated else None
    if authenticated:
        for table, target_id, reason in (
            (rule.users, user_id, Reason.USER_OVERRIDE),
            (rule.schools, getattr(user, "school_id", None), Reason.SCHOOL_OVERRIDE),
            (rule.districts, getattr(user, "district_id", None), Reason.DISTRICT_OVERRIDE),
        ):
            if target_id is not None and target_id in table:
                return FlagDecision(key, table[target_id], reason)
        if rule.roles and getattr(user, "role", None) in rule.roles:
            return FlagDecision(key, True, Reason.ROLE)
    if rule.percent_bp is not None:
        return FlagDecision(key, in_rollout(key, user_id, rule.percent_bp), Reason.PERCENTAGE)
    return FlagDecision(key, rule.everyone, Reason.GLOBAL)


def evaluate(key: str, user: Any = None) -> FlagDecision:
    """The decision for this flag and user, with the rule that decided it."""
    rule = _snapshot().get(key)
    if rule is None:
        return FlagDecision(key, False, Reason.UNKNOWN_FLAG)
    return _decide(key, rule, user)


def evaluate_all(user: Any = None) -> list[FlagDecision]:
    """Every known flag's decision for this user, by key."""
    snapshot = _snapshot()
    return [_decide(key, snapshot[key], user) for key in sorted(snapshot)]


def flag_exists(key: str) -> bool:
    return key in _snapshot()


def flag_is_active(key: str, user: Any = None) -> bool:
    """Whether the flag is on for this user (False for unknown keys, which are logged)."""
    decision = evaluate(key, user)
    if decision.reason is Reason.UNKNOWN_FLAG:
        logger.warning("flags: unknown flag %r evaluated", key)
    return decision.active
