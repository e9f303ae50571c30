"""Every /api/v1/ route, one include per app."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("content.api.urls")),  # lesson requests, lessons, notifications (issue 7)
    path("", include("content.api.student")),  # student progress, quiz attempts, reports (issue 8)
    path("", include("flags.api.urls")),
    path("", include("ingestion.api.urls")),
    path("", include("teaching.api.urls")),  # teacher classes, roster, assignments, progress, signals (issue 9)
]
