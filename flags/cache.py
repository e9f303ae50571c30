"""The flag snapshot cache: every flag and override, versioned in Redis, memoised per process.

Readers fetch the version key (one Redis GET), then the snapshot stored under that version (or a
per-process copy already built for it). Writers bump the version after commit, so a change reaches
every process on its next evaluation. The version is a random token, so a flushed Redis can never
resurrect an old snapshot. Redis down: read the database on every call (correct, just slower).

Inside a transaction that has changed flags, readers on that connection bypass the cache and read
the database, so they see their own writes and never publish uncommitted rows to other processes.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

from .models import Flag, FlagOverride

logger = logging.getLogger(__name__)

VERSION_KEY = "flags:version"
SNAPSHOT_KEY = "flags:snapshot:{version}"
#: bounds staleness if a version bump was lost while Redis was down
SNAPSHOT_TTL_SECONDS = 60
LOCAL_MAX_AGE_SECONDS = 60
_DIRTY_ATTR = "vividly_flags_dirty"  # (outermost atomic block, flag writes so far)
_TXN_MEMO_ATTR = "vividly_flags_txn_memo"

_local: tuple[str, float, Any] | None = None  # (version, built_at, compiled snapshot)


def load_from_db() -> dict[str, Any]:
    """All flags and overrides as plain data (two queries)."""

    flags = {
        row["name"]: {
            "everyone": row["everyone"],
            "percent_bp": None if row["percent"] is None else int(row["percent"] * 100),
            "roles": list(row["roles"] or ()),
            "district_manageable": row["district_manageable"],
        }
        for row in Flag.objects.values(
            "name", "everyone", "percent", "roles", "district_manageable"
        )
    }
    overrides: dict[str, dict[str, dict[int, bool]]] = {"user": {}, "school": {}, "district": {}}
    for row in FlagOverride.objects.values(
        "flag__name", "scope", "district_id", "school_id", "user_id", "active"
    ):
        target_id = row[f"{row['scope']}_id"]
        overrides[row["scope"]].setdefault(row["flag__name"], {})[target_id] = row["active"]
    return {"flags": flags, "overrides": overrides}


def _dirty_transaction() -> tuple[Any, int] | None:
    """(outermost atomic block, write count) if this connection's open transaction changed flags."""
    connection = transaction.get_connection()
    dirty = getattr(connection, _DIRTY_ATTR, None)
    if dirty is None:
        return None
    blocks = connection.atomic_blocks
    if blocks and blocks[0] is dirty[0]:
        return dirty
    setattr(connection, _DIRTY_ATTR, None)  # that transaction ended (committed or rolled back)
    return None


def _transaction_snapshot(dirty: tuple[Any, int], compile_snapshot) -> Any:
    """Read-your-writes snapshot, memoised on the connection until the next flag write."""
    connection = transaction.get_connection()
    # savepoint ids change when a savepoint rolls back, so a rolled-back write is never served
    state = (dirty[1], tuple(connection.savepoint_ids))
    memo = getattr(connection, _TXN_MEMO_ATTR, None)
    if memo is not None and memo[0] is dirty[0] and memo[1] == state:
        return memo[2]
    snapshot = compile_snapshot(load_from_db())
    setattr(connection, _TXN_MEMO_ATTR, (dirty[0], state, snapshot))
    return snapshot


def get_snapshot(compile_snapshot) -> Any:
    """The compiled snapshot for the current version; `compile_snapshot(data)` builds it."""
    global _local  # noqa: PLW0603 - one per-process memo, replaced atomically
    dirty = _dirty_transaction()
    if dirty is not None:
        return _transaction_snapshot(dirty, compile_snapshot)
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # Redis unreachable: the database is the source of truth
        logger.warning("flags: cache unavailable, evaluating from the database", exc_info=True)
        return compile_snapshot(load_from_db())
    local = _local
    now = time.monotonic()
    if local is not None and local[0] == version and now - local[1] < LOCAL_MAX_AGE_SECONDS:
        return local[2]
    key = SNAPSHOT_KEY.format(version=version)
    try:
        data = cache.get(key)
    except Exception:
        logger.warning("flags: cache read failed, evaluating from the database", exc_info=True)
        return compile_snapshot(load_from_db())
    if data is None:
        data = load_from_db()
        try:
            cache.set(key, data, SNAPSHOT_TTL_SECONDS)
        except Exception:
            logger.warning("flags: cache write failed", exc_info=True)
            return compile_snapshot(data)
    snapshot = compile_snapshot(data)
    _local = (version, now, snapshot)
    return snapshot


def bump_version() -> None:
    """Invalidate every process's snapshot (a new random version)."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception(
            "flags: could not bump the cache version; snapshots expire within %ss",
            SNAPSHOT_TTL_SECONDS,
        )


def invalidate() -> None:
    """Call after any flag write: bump now (autocommit) or when the transaction commits."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        bump_version()
        return
    outermost = connection.atomic_blocks[0]
    dirty = getattr(connection, _DIRTY_ATTR, None)
    writes = dirty[1] + 1 if dirty is not None and dirty[0] is outermost else 1
    setattr(connection, _DIRTY_ATTR, (outermost, writes))

    def committed() -> None:
        setattr(connection, _DIRTY_ATTR, None)
        bump_version()

    transaction.on_commit(committed, robust=True)
