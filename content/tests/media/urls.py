"""Just the media route, so these tests do not depend on the rest of the project's URLs."""

from django.urls import path

from content.media.serving import serve_media

urlpatterns = [path("media/<path:path>", serve_media, name="media")]
