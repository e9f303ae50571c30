"""handler500: JSON for the API, and 503 + Retry-After while the database is unreachable.

Found by the PostgreSQL-restart drill (tests/drills/test_faults_services.py): with the database down,
API clients got Django's HTML "Server Error (500)" page. Any uncaught exception still answers 500.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.views.decorators.csrf import requires_csrf_token

DB_DOWN_RETRY_AFTER = "5"


@requires_csrf_token
def server_error(request):
    exc = sys.exc_info()[1]
    db_down = isinstance(exc, OperationalError | InterfaceError)
    status = 503 if db_down else 500
    if request.path.startswith("/api/"):
        body = ({"detail": "Service temporarily unavailable, please retry.", "code": "database_unavailable"}
                if db_down else {"detail": "Server error.", "code": "server_error"})
        response = JsonResponse(body, status=status)
    else:
        text = "Vividly is briefly unavailable. Please try again in a moment." if db_down else "Server error."
        # format_html, not a template: this page must render even when templates or the database fail.
        response = HttpResponse(format_html("<!doctype html><title>{}</title><h1>{}</h1>", status, text),
                                status=status)
    if db_down:
        response["Retry-After"] = DB_DOWN_RETRY_AFTER
    return response
