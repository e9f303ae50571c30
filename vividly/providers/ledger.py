"""Cost-ledger rows for Google calls nobody else records (issue 19): embeddings of passages and of
students' questions. Script, slide and voice calls are recorded by the lesson pipeline from the
`Usage` their providers return; embedding calls happen deep inside search and ingestion, so the
embedding provider records its own, charged to the district the work runs for
(`residency.district_scope`), from the usage metadata Google sent back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, transaction

from .base import Usage
from .residency import current_district

logger = logging.getLogger(__name__)
# The ledger and budgets live in content, which installs its writer from its AppConfig.ready(),
# so this lowest layer never imports upward.
_writers: list[Callable[..., object]] = []


def set_writer(writer: Callable[..., object]) -> None:
    """Install the function that writes a ledger row (content.services.record_provider_call)."""
    _writers[:] = [writer]


def record(*, capability: str, usage: Usage, seconds: float, succeeded: bool = True, detail: str = "") -> None:
    """One ledger row (content.ProviderCall); a ledger failure never fails the call it describes."""
    if not _writers:
        logger.warning("cost ledger row not written: no ledger installed", extra={"capability": capability})
        return
    try:
        with transaction.atomic():  # a savepoint inside a caller's transaction
            _writers[0](capability=capability, usage=usage, district_id=current_district(),
                        succeeded=succeeded, detail=detail, seconds=seconds)
    except DatabaseError:
        logger.warning("cost ledger row not written", extra={"capability": capability, "provider": usage.provider})
