"""The rows of accounts and schools (schools sits below accounts, so cannot register itself) in the
privacy registry, plus third-party tables with user foreign keys; registered in AccountsConfig.ready()."""

from __future__ import annotations

from .registry import STAFF, DataOwner, Section, register


def register_accounts() -> None:
    register(DataOwner(
        app_label="accounts",
        sections=(
            Section("interests", "Interests the student ranked", "accounts.StudentInterest", "student",
                    {"interest": "interest.name", "rank": "rank"}, ("rank",)),
            Section("consent", "Parental/school consent records", "accounts.ConsentRecord", "student",
                    {"method": "method", "reference": "reference", "recorded_at": "recorded_at",
                     "revoked_at": "revoked_at"}),
            Section("access_log", "Staff who viewed or exported the student's data", "accounts.StudentDataAccess", "student",
                    {"staff_role": "actor_role", "what": "what", "page": "endpoint", "created_at": "created_at"},
                    ("created_at", "pk")),
            Section("security_events", "Sign-ins and other account security events", "accounts.SecurityEvent", "target",
                    {"kind": "kind", "ip_address": "ip_address", "user_agent": "user_agent", "created_at": "created_at"},
                    ("created_at", "pk")),
            Section("devices", "Signed-in browsers (devices list)", "accounts.UserSession", "user",
                    {"user_agent": "user_agent", "ip_address": "ip_address", "created_at": "created_at",
                     "last_seen_at": "last_seen_at"}),
            Section("invitation", "The invitation the account was created from", "accounts.Invitation", "user",
                    {"role": "role", "school": "school.name", "class": "classroom.name", "created_at": "created_at",
                     "accepted_at": "accepted_at"}),
            Section("data_exports", "Earlier exports of this data", "accounts.DataExport", "student",
                    {"status": "status", "include_media": "include_media", "created_at": "created_at",
                     "finished_at": "finished_at"}),
            Section("classes", "Classes the student is enrolled in", "schools.Enrollment", "student",
                    {"class": "classroom.name", "school": "classroom.school.name", "joined_at": "joined_at"}),
        ),
        not_exported={
            "token_blacklist.OutstandingToken.user": "API refresh tokens and their ids are credentials",
            "admin.LogEntry.user": "the admin change log of staff; students never use the admin",
            "accounts.User_groups.user": "admin permission groups (staff configuration)",
            "accounts.User_user_permissions.user": "admin permissions (staff configuration)",
            "accounts.SecurityEvent.actor": f"{STAFF}; events about the student are exported through `target`",
            "accounts.Invitation.invited_by": STAFF,
            "accounts.StudentDataAccess.actor": f"{STAFF}; the access log is exported from the student's side",
            "accounts.ConsentRecord.recorded_by": STAFF,
            "accounts.DataExport.requested_by": STAFF,
            "accounts.DistrictPrivacySettings.safety_escalation_admins": "district staff configuration",
            "accounts.DistrictPrivacySettings_safety_escalation_admins.user": "district staff configuration",
            "schools.Classroom.teachers": "the class's teachers (staff)",
            "schools.Classroom_teachers.user": "the class's teachers (staff)",
        },
    ))
