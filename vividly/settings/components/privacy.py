"""Student privacy (issue 5: accounts/privacy, docs/privacy.md): retention, erasure, exports.

Retention schedule: days each kind of record is kept (districts may shorten it in the admin,
DistrictPrivacySettings.retention_overrides). Enforced by the privacy beat tasks (components/celery.py),
which record a RetentionRun with what they purged. "progress" counts from the district's contract end.
"""

from .environment import env

RETENTION_SCHEDULE = {
    "lesson_requests": {"days": 90, "what": "Lesson requests incl. the question typed (and their notifications)"},
    "progress": {"days": 30, "after": "contract_end",
                 "what": "Watch progress, quiz answers, re-quizzes, problem reports: contract end + 30 days"},
    "progress_events": {"days": 365, "what": "Raw player events"},
    "notifications": {"days": 180, "what": "In-app notifications"},
    "safety_events": {"days": 365, "what": "Safety events and their moderation reviews"},
    "access_audit": {"days": 3 * 365, "what": "Staff access to student data (StudentDataAccess)"},
    "security_audit": {"days": 7 * 365, "what": "Security audit log (SecurityEvent)"},
    "login_attempts": {"days": 90, "what": "Lockout records and failed-login log"},
    "accepted_invitations": {"days": 90, "what": "Accepted invitations"},
    "invitation_tokens": {"days": 0, "every": "hour", "what": "Expired or revoked invitations (tokens)"},
    "sessions": {"days": 0, "every": "hour", "what": "Expired sessions"},
    "data_exports": {"days": 7, "every": "hour", "what": "Export ZIPs (links expire sooner)"},
    "deleted_accounts": {"days": 30, "what": "Soft-deleted students, then erased for good"},
}
PRIVACY_DELETION_GRACE_DAYS = RETENTION_SCHEDULE["deleted_accounts"]["days"]
PRIVACY_EXPORT_LINK_TTL = env.int("PRIVACY_EXPORT_LINK_TTL", default=48 * 3600)
