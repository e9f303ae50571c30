"""Write-side account operations (keyword-only, atomic)."""

from __future__ import annotations

import logging

from django.db import transaction

from .models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def deactivate_user(*, actor: User, user: User) -> None:
    """Deactivate a user; they can no longer sign in or use their tokens."""
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    logger.info("user deactivated", extra={"actor_id": actor.pk, "user_id": user.pk})


def record_role_change(*, actor: User, user: User, old_role: str | None) -> None:
    """Note a role change (the security audit log of the accounts issue records it)."""
    logger.info("role changed", extra={"actor_id": actor.pk, "user_id": user.pk,
                                       "old_role": old_role, "new_role": user.role})
