"""Library preparation status (issue 17): the poll behind "Preparing the library: Physics ready…"."""

from django.urls import path

from .views import library_status_partial

urlpatterns = [
    path("status", library_status_partial, name="library-status"),
]
