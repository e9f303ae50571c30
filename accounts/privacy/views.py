"""Privacy pages: the permission-checked export download and a student's own access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse

from schools.tenancy import Role
from vividly import spreadsheets

from . import services
from .models import DataExport, StudentDataAccess


@login_required
def download_export(request, token: str):
    """Serve an export ZIP: the signed link must be valid and unexpired AND the user a district admin of it."""
    export = services.export_from_token(token)
    user = request.user
    if export is None or not export.is_downloadable:
        raise Http404("This download link has expired.")
    allowed = user.is_superuser or (user.role == Role.DISTRICT_ADMIN and user.district_id == export.district_id)
    if not allowed or not DataExport.objects.visible_to(user).filter(pk=export.pk).exists():
        raise Http404("This download link has expired.")
    handle = services.export_storage().open(export.file_name, "rb")
    return FileResponse(handle, as_attachment=True, filename=f"vividly-export-{export.pk}.zip",
                        content_type="application/zip")


@login_required
def my_access_log(request):
    """CSV of every time staff viewed or exported the signed-in student's data."""
    if request.user.role != Role.STUDENT:
        raise Http404()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data-access-log.csv"'
    writer = spreadsheets.writer(response)
    writer.writerow(["when", "staff role", "what", "page or endpoint"])
    for row in StudentDataAccess.objects.filter(student=request.user).order_by("-created_at"):
        writer.writerow([row.created_at.isoformat(), row.actor_role, row.get_what_display(), row.endpoint])
    return response
