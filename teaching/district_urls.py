"""/district/ pages for district and school admins (namespace "district")."""

from django.urls import path

from teaching.views import usage as views

app_name = "district"

urlpatterns = [
    path("usage/", views.usage, name="usage"),
    path("usage/export.csv", views.usage_export, name="usage_export"),
]
