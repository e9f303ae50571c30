"""Static files, lesson media (local or a GCS bucket behind Cloud CDN), private export storage."""

from pathlib import Path

from .core import ENVIRONMENT
from .environment import BASE_DIR, VAR_DIR, env

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Lesson media: local files by default; a GCS bucket (served through Cloud CDN) when GS_BUCKET_NAME is set.
GS_BUCKET_NAME = env.str("GS_BUCKET_NAME", default="")
# Optional CDN in front of the bucket; Cloud CDN signed URLs when a key name and key are set.
MEDIA_CDN_BASE_URL = env.str("MEDIA_CDN_BASE_URL", default="")
MEDIA_CDN_SIGNING_KEY_NAME = env.str("MEDIA_CDN_SIGNING_KEY_NAME", default="")
MEDIA_CDN_SIGNING_KEY = env.str("MEDIA_CDN_SIGNING_KEY", default="")  # base64url, from gcloud
MEDIA_CDN_URL_TTL = env.int("MEDIA_CDN_URL_TTL", default=6 * 3600)
# Local media with HTTP Range under /media/ (off by default in production, where GCS serves it).
MEDIA_SERVE_LOCAL = env.bool("MEDIA_SERVE_LOCAL", default=ENVIRONMENT != "production")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Privacy export ZIPs (issue 5) live in their own private storage: never under MEDIA_ROOT,
    # never publicly served.
    "privacy_exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(env.path("PRIVACY_EXPORT_DIR", default=str(VAR_DIR / "privacy-exports")))},
    },
}
if GS_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.gcloud.GoogleCloudStorage",
        "OPTIONS": {"bucket_name": GS_BUCKET_NAME, "querystring_auth": False,
                    "custom_endpoint": MEDIA_CDN_BASE_URL or None, "file_overwrite": True},
    }

# Spreadsheet exports (issue 15): django-import-export's own guard (strips one leading "=");
# RosterResource also escapes every cell with vividly.spreadsheets.escape_cell, as every
# hand-written CSV writer does.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
