"""Test-only URLs: the real site plus views that fail or enqueue work the way real code might."""

import logging

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.views import APIView

from vividly.observability.tasks import log_probe

logger = logging.getLogger("vividly.lessons")


def boom(request):
    """Careless code: logs and raises with the student's e-mail and name in the message."""
    user = request.user
    logger.warning("opening lesson for %s (%s)", user.email, user.get_full_name())
    raise RuntimeError(f"lesson render failed for {user.email} / {user.get_full_name()}")


class BoomAPI(APIView):
    """A DRF view: the user is only known after JWT authentication inside the view."""

    def get(self, request):
        raise RuntimeError(f"api failed for {request.user.email}")


def enqueue(request):
    logger.warning("enqueueing log probe")
    result = log_probe.delay("from-request")
    return JsonResponse({"task_id": result.id})


urlpatterns = [
    path("ops-test/boom/", boom),
    path("ops-test/enqueue/", enqueue),
    path("ops-test/api-boom/", BoomAPI.as_view()),
    path("", include("vividly.urls")),
]
