"""The coded default flags: one place read by the data migration and by the evaluator.

The data migration creates these rows; the evaluator falls back to the same values when a known
flag is missing from the database (a flushed test database, a deleted row), so callers never break.
Pure data on purpose: migrations import it, so it must not import models.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DefaultFlag:
    everyone: bool
    percent: Decimal | None = None
    note: str = ""
    district_manageable: bool = True


DEFAULT_FLAGS: dict[str, DefaultFlag] = {
    "video_generation": DefaultFlag(
        True, Decimal(100), "Students can request generated video lessons."
    ),
    "advanced_analytics": DefaultFlag(
        True, Decimal(0), "Advanced analytics dashboards (rollout at 0%)."
    ),
    "advanced_reporting": DefaultFlag(
        True, Decimal(50), "Advanced teacher/admin reports (50% rollout)."
    ),
    "quizzes": DefaultFlag(True, note="Practice quizzes after a lesson."),
    "gamification": DefaultFlag(False, note="Points, streaks and badges on the lesson page."),
    "social_features": DefaultFlag(False, note="Sharing and class feeds."),
    "offline_mode": DefaultFlag(False, note="Download lessons for offline viewing."),
    "ai_tutoring": DefaultFlag(False, note="Conversational AI tutor."),
    "parent_portal": DefaultFlag(False, note="Parent accounts and progress view."),
    "cloud_providers": DefaultFlag(
        False,
        note="Use Google Cloud providers instead of the local offline ones.",
        district_manageable=False,
    ),
}
