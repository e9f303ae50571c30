"""Who and why for the audit rows the signals write (`with audit_context(actor=..., reason=...)`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None
    reason: str = ""


_current: ContextVar[AuditContext | None] = ContextVar("flag_audit_context", default=None)


@contextlib.contextmanager
def audit_context(*, actor: Any, reason: str) -> Iterator[None]:
    """Attribute every flag change inside the block to `actor`, for `reason`."""
    token = _current.set(AuditContext(actor=actor, reason=reason))
    try:
        yield
    finally:
        _current.reset(token)


def current() -> AuditContext:
    return _current.get() or AuditContext()
