"""/privacy/ pages (namespace "privacy")."""

from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("exports/<str:token>/", views.download_export, name="download_export"),
    path("my-access-log.csv", views.my_access_log, name="my_access_log"),
]
