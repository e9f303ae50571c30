"""Serve local media files with HTTP Range support, so video seeking works in development.

`serve_media(request, path)` takes a path relative to MEDIA_ROOT (or `root=`), refuses traversal
outside it (404), and answers single byte ranges with 206 Partial Content. Access control is the
caller's job: wrap this view in one that checks who may see the file.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils._os import safe_join
from django.utils.http import http_date
from django.views.decorators.http import require_safe

CONTENT_TYPES = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".vtt": "text/vtt; charset=utf-8",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".wav": "audio/wav",
    ".mp3": "audio/mpeg", ".json": "application/json", ".txt": "text/plain; charset=utf-8",
}
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def content_type_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, None when absent/ignored; ValueError if unsatisfiable."""
    match = RANGE_RE.match(header.strip().replace(" ", ""))
    if not match:
        return None  # absent, malformed or multi-range: serve the whole file (allowed by RFC 9110)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise ValueError("range not satisfiable")
    return start, end


def _stream(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def resolve_media_path(path: str, root: str | Path | None = None) -> Path:
    """The file for a relative media path, or Http404 (missing, a directory, or outside the root)."""
    base = Path(root or settings.MEDIA_ROOT)
    try:
        full = Path(safe_join(str(base), path))
    except (ValueError, SuspiciousFileOperation) as exc:  # traversal, NUL bytes
        raise Http404("not found") from exc
    try:  # symlinks must not lead outside the root either
        full.resolve(strict=True).relative_to(base.resolve())
    except (OSError, ValueError) as exc:
        raise Http404("not found") from exc
    if not full.is_file():
        raise Http404("not found")
    return full


@require_safe
def serve_media(request: HttpRequest, path: str, *, root: str | Path | None = None) -> HttpResponse:
    """Serve one file under MEDIA_ROOT with Range support (206), for development."""
    full = resolve_media_path(path, root)
    stat = full.stat()
    size = stat.st_size
    content_type = content_type_for(full)
    headers = {"Accept-Ranges": "bytes", "Last-Modified": http_date(stat.st_mtime),
               "X-Content-Type-Options": "nosniff"}
    try:
        byte_range = parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if byte_range is None:
        return FileResponse(full.open("rb"), content_type=content_type, headers=headers)
    start, end = byte_range
    length = end - start + 1
    body = _stream(full, start, length) if request.method != "HEAD" else iter(())
    return StreamingHttpResponse(body, status=206, content_type=content_type, headers={
        **headers, "Content-Range": f"bytes {start}-{end}/{size}", "Content-Length": str(length)})

