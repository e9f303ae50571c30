"""Only the flag API, so its OpenAPI schema can be validated on its own."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("flags.api.urls"))]
