"""District AI data residency at the provider boundary (issue 19).

A district that chose `ai_data_residency` keeps student text on local providers. The lesson pipeline
already picks local writers, slides and voices for such districts; this module makes the rule hold
for *every* Google call, the student's question embedding included: the web request or Celery task
names the district it works for (`district_scope`), and each Google provider calls `guard()` before
sending anything. Refused calls raise `ResidencyBlocked` (a ProviderUnavailable), which every caller
already treats as "use the local path": local writer/slides/voice, lexical-only search.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from .base import ProviderUnavailable

# the district id, or a callable answering it late (a web request's user is known only after DRF
# authenticates it, which happens inside the view)
_district: ContextVar[int | Callable[[], int | None] | None] = ContextVar("vividly_residency_district",
                                                                          default=None)
_local_only: ContextVar[str] = ContextVar("vividly_residency_local_only", default="")
# Who decides a district's residency: accounts (which owns the setting) installs it from its
# AppConfig.ready(), so this lowest layer never imports upward.
_district_keeps_data_local: list[Callable[[int], bool]] = []


def set_district_policy(policy: Callable[[int], bool]) -> None:
    """Install the rule answering "does this district keep its AI data local?" (accounts does)."""
    _district_keeps_data_local[:] = [policy]


class ResidencyBlocked(ProviderUnavailable):
    """A Google call was refused because the district keeps its AI data local."""


@contextmanager
def district_scope(district_id: int | Callable[[], int | None] | None):
    """Work done inside runs for this district (its residency choice applies; the ledger charges it)."""
    token = _district.set(district_id)
    try:
        yield
    finally:
        _district.reset(token)


@contextmanager
def local_only(reason: str):
    """Refuse every Google call inside, whatever the district (e.g. an operator's check)."""
    token = _local_only.set(reason)
    try:
        yield
    finally:
        _local_only.reset(token)


def current_district() -> int | None:
    value = _district.get()
    return value() if callable(value) else value


def blocked_reason() -> str:
    """Why Google may not be called now ("" when it may)."""
    if _local_only.get():
        return _local_only.get()
    district_id = current_district()
    if district_id:
        if not _district_keeps_data_local:  # fail closed: no policy installed means no Google call
            return "no residency policy installed"
        if _district_keeps_data_local[0](district_id):
            return "district data residency"
    return ""


def guard(provider: str) -> None:
    """Raise ResidencyBlocked when the current district keeps AI data local."""
    reason = blocked_reason()
    if reason:
        raise ResidencyBlocked(f"{provider} not called: {reason}")


class ResidencyMiddleware:
    """Web requests run in their signed-in user's district (the search API embeds their question)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def district_of_user() -> int | None:
            user = getattr(request, "user", None)  # DRF copies its authenticated user onto the request
            return getattr(user, "district_id", None) if user is not None and user.is_authenticated else None

        with district_scope(district_of_user):
            return self.get_response(request)
