"""Routes content serves at the site root (included from vividly/urls.py, names unchanged)."""

from django.conf import settings
from django.urls import path

from content.views import student as student_views

urlpatterns = [
    path("styleguide/", student_views.styleguide, name="styleguide"),  # 404 unless DEBUG (issue 8)
]

if settings.MEDIA_SERVE_LOCAL:  # local media with HTTP Range support (issue 7; GCS in production)
    from content.media.serving import serve_media

    urlpatterns += [path("media/<path:path>", serve_media, name="media")]
