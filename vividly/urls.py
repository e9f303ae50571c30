from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from content import student_views
from ingestion.views import library_status_partial

from . import health, views
from .observability.metrics import metrics_view

admin.site.site_header = "Vividly administration"
admin.site.site_title = "Vividly admin"
admin.site.index_title = "District panel"
handler500 = "vividly.errors.server_error"  # JSON under /api/, 503 + Retry-After while the DB is down (issue 11)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus; token (production) / IP protected
    path("ops/client-ip", views.client_ip_check, name="client-ip-check"),  # superusers; 404 otherwise
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # student experience (issue 8); the style guide answers 404 unless DEBUG
    path("student/", include("content.student_urls")),
    path("styleguide/", student_views.styleguide, name="styleguide"),
    # teacher and admin experience (issue 9)
    path("teacher/", include("schools.teacher_urls")),
    path("district/", include("schools.usage_urls")),
    path("privacy/", include("accounts.privacy.urls")),
    path("library/status", library_status_partial, name="library-status"),  # "Preparing the library…" poll  # exports, own access log (issue 5)
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("vividly.api_urls")),
]

if settings.MEDIA_SERVE_LOCAL:  # local media with HTTP Range support (issue 7; GCS in production)
    from content.media.serving import serve_media

    urlpatterns += [path("media/<path:path>", serve_media, name="media")]
