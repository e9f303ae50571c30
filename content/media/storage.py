"""Store lesson assets with Django's default storage and return the URL students load.

Locally that is FileSystemStorage under MEDIA_ROOT (served by `content.media.serving`); in
production django-storages' Google Cloud Storage backend. With MEDIA_CDN_BASE_URL set, URLs point
at the CDN, signed (Cloud CDN signed URLs) when MEDIA_CDN_SIGNING_KEY_NAME/KEY are configured;
otherwise the storage's own URL (GCS signs it itself when `GS_QUERYSTRING_AUTH` is on).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import time
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage, default_storage

# Not in every platform's mimetypes table; GCS and the dev server take the type from here.
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("video/mp4", ".mp4")


def clean_storage_path(path_in_storage: str) -> str:
    """A relative POSIX path with no '..', '.' or empty parts."""
    parts = PurePosixPath(path_in_storage.replace("\\", "/")).parts
    parts = tuple(p for p in parts if p != "/")
    if not parts or any(p in ("", ".", "..") for p in parts):
        raise SuspiciousFileOperation(f"invalid storage path: {path_in_storage!r}")
    return "/".join(parts)


def save_lesson_asset(path_in_storage: str, local_file: str | Path, *, storage: Storage | None = None) -> str:
    """Copy a local file to `path_in_storage` (replacing any previous version) and return its URL."""
    store = storage or default_storage
    name = clean_storage_path(path_in_storage)
    if store.exists(name):  # re-running a stage overwrites instead of creating name_abc123.mp4
        store.delete(name)
    with Path(local_file).open("rb") as handle:
        saved = store.save(name, File(handle, name=PurePosixPath(name).name))
    return asset_url(saved, storage=store)


def asset_url(name: str, *, storage: Storage | None = None, now: float | None = None) -> str:
    """The public URL of a stored asset: CDN (signed if configured) or the storage's own URL."""
    base = getattr(settings, "MEDIA_CDN_BASE_URL", "")
    if not base:
        return (storage or default_storage).url(name)
    url = f"{base.rstrip('/')}/{quote(name)}"
    key_name = getattr(settings, "MEDIA_CDN_SIGNING_KEY_NAME", "")
    key = getattr(settings, "MEDIA_CDN_SIGNING_KEY", "")
    if not (key_name and key):
        return url
    expires = int((now if now is not None else time.time()) + settings.MEDIA_CDN_URL_TTL)
    return sign_cdn_url(url, key_name=key_name, key=key, expires=expires)


def sign_cdn_url(url: str, *, key_name: str, key: str, expires: int) -> str:
    """A Cloud CDN signed URL (HMAC-SHA1 over the URL with Expires and KeyName)."""
    separator = "&" if "?" in url else "?"
    to_sign = f"{url}{separator}Expires={expires}&KeyName={key_name}"
    digest = hmac.new(base64.urlsafe_b64decode(key), to_sign.encode(), hashlib.sha1).digest()
    return f"{to_sign}&Signature={base64.urlsafe_b64encode(digest).decode()}"
