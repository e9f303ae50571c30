from django.urls import path, re_path

from . import views

urlpatterns = [
    path("feature-flags/", views.FlagListView.as_view(), name="api-feature-flags"),
    # Any characters are captured so odd keys get a JSON 400, not an HTML 404.
    re_path(
        r"^feature-flags/check/(?P<key>.+)$",
        views.FlagCheckView.as_view(),
        name="api-feature-flag-check",
    ),
]
