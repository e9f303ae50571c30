"""content's read side, one module per concern: `lessons` (lessons, requests, notifications and
their API payloads, re-exported here) and `student` (the student's pages)."""

from .lessons import (
    FAST_PATH_STAGES,
    breaker_states,
    get_lesson_for,
    get_lesson_request_for,
    get_request_status_for,
    lesson_payload,
    lesson_requests_for,
    lessons_for,
    notifications_for,
    provider_calls_for,
    request_payload,
    revealed_question_ids,
    safety_events_for,
    unread_notification_count,
    vivid_now,
)

__all__ = [
    "FAST_PATH_STAGES",
    "breaker_states",
    "get_lesson_for",
    "get_lesson_request_for",
    "get_request_status_for",
    "lesson_payload",
    "lesson_requests_for",
    "lessons_for",
    "notifications_for",
    "provider_calls_for",
    "request_payload",
    "revealed_question_ids",
    "safety_events_for",
    "unread_notification_count",
    "vivid_now",
]
