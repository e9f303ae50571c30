"""Who may read /api/schema/ and /api/docs/ (drf-spectacular's SERVE_PERMISSIONS).

The schema maps every endpoint, parameter and role-specific route: useful to an attacker, needed only
by the people who build against the API. Staff (teachers, school and district admins, superusers)
may read it; students and anonymous visitors may not, unless API_DOCS_PUBLIC is set (on by default
for `make run` only; production defaults it off).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import BasePermission


class CanReadAPIDocs(BasePermission):
    message = "The API documentation is available to staff accounts."

    def has_permission(self, request, view) -> bool:
        if getattr(settings, "API_DOCS_PUBLIC", False):
            return True
        user = request.user
        return bool(user is not None and user.is_authenticated and user.is_active
                    and not getattr(user, "is_student", True))
