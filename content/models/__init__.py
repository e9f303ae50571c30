"""The content app's models, one module per concern (`from content.models import X` for all)."""

from .billing import DistrictBudget, ProviderCall
from .class_choices import Assignment, LessonBlock, PinnedLesson
from .lessons import Lesson, LessonScene, QuizQuestion, lesson_bulk
from .progress import LessonProgress, ProblemReport, ProgressEvent, QuizAttempt, ReQuiz
from .requests import (
    ACTIVE_REQUEST_STATUSES,
    FINAL_REQUEST_STATUSES,
    LessonRequest,
    Notification,
    RequestStatus,
)
from .safety import ModerationReview, SafetyEvent

__all__ = [
    "ACTIVE_REQUEST_STATUSES",
    "FINAL_REQUEST_STATUSES",
    "Assignment",
    "DistrictBudget",
    "Lesson",
    "LessonBlock",
    "LessonProgress",
    "LessonRequest",
    "LessonScene",
    "ModerationReview",
    "Notification",
    "PinnedLesson",
    "ProblemReport",
    "ProgressEvent",
    "ProviderCall",
    "QuizAttempt",
    "QuizQuestion",
    "ReQuiz",
    "RequestStatus",
    "SafetyEvent",
    "lesson_bulk",
]
