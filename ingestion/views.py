"""The library status poll (htmx): the banner partial, for any signed-in person."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .library_status import POLL_SECONDS, library_status


@login_required
@require_GET
def library_status_partial(request):
    return render(request, "ingestion/partials/library_status.html",
                  {"status": library_status(), "poll": True, "finished": True, "poll_seconds": POLL_SECONDS})
