from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health, views
from .observability.metrics import metrics_view

admin.site.site_header = "Vividly administration"
admin.site.site_title = "Vividly admin"
admin.site.index_title = "District panel"
handler500 = "vividly.errors.server_error"  # JSON under /api/, 503 + Retry-After while the DB is down (issue 11)

#: Admin pages of models that moved app (issue 16): old bookmarks, links and stored alert URLs still work.
MOVED_ADMIN_MODELS = {
    ("schools", "assignment"): "content",
    ("schools", "lessonblock"): "content",
    ("schools", "pinnedlesson"): "content",
    ("accounts", "moderationreview"): "content",
}

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus; token (production) / IP protected
    path("ops/client-ip", views.client_ip_check, name="client-ip-check"),  # superusers; 404 otherwise
    re_path(r"^admin/(?P<app>schools|accounts)/(?P<model>assignment|lessonblock|pinnedlesson|moderationreview)/"
            r"(?P<rest>.*)$", views.moved_admin_page, {"moved": MOVED_ADMIN_MODELS}),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # student experience (issue 8)
    path("student/", include("content.urls")),
    path("", include("content.site_urls")),  # the style guide; local media (when MEDIA_SERVE_LOCAL)
    # teacher and admin experience (issue 9)
    path("teacher/", include("teaching.urls")),
    path("district/", include("teaching.district_urls")),
    path("privacy/", include("accounts.privacy.urls")),  # exports, own access log (issue 5)
    path("library/", include("ingestion.urls")),  # the "Preparing the library…" poll (issue 17)
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("vividly.api_urls")),
]
