"""Download stage: a local corpus directory, or a pinned source archive fetched over HTTP(S).

Archives must come with a sha256; they are cached under settings.OER_CACHE_DIR/<sha256>/ and
extracted with path-traversal, link and zip-bomb checks (total size, per-member ratio, real bytes).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx
from django.conf import settings

from vividly import http

# The upstream repositories, pinned to the commits of the shared corpus (see its README).
PINNED_SOURCES = {
    "physics": "https://github.com/openstax/osbooks-physics/archive/ff78c7a8150fdda5ed1f786ac59ac25cdd532ef0.zip",
    "chemistry-2e": ("https://github.com/openstax/osbooks-chemistry-bundle/archive/"
                     "32c719622fbb7a0ca729cd645c1df4cf4e7d5b3a.zip"),
}
SUBJECT_BY_SLUG = {"physics": "physics", "chemistry": "chemistry", "biology": "biology"}


class DownloadError(ValueError):
    """The source could not be fetched or is unsafe (checksum, traversal, bomb, size)."""


@dataclass(frozen=True)
class BookSource:
    slug: str
    subject: str
    path: Path
    collection: Path


def _subject_for(slug: str, meta_subject: str = "") -> str:
    if meta_subject:
        return meta_subject
    for prefix, subject in SUBJECT_BY_SLUG.items():
        if slug.startswith(prefix):
            return subject
    return "physics"


def discover_books(root: Path) -> list[BookSource]:
    """Every book folder under root (one with collections/*.collection.xml), sorted by slug."""

    books = []
    for collection in sorted(root.glob("**/collections/*.collection.xml")):
        book_dir = collection.parent.parent
        meta_path = book_dir / "META.json"
        meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
        slug = meta.get("slug") or collection.name.removesuffix(".collection.xml")
        books.append(BookSource(slug, _subject_for(slug, meta.get("subject", "")), book_dir, collection))
    return books


def fetch(source: str | None, *, sha256: str = "") -> Path:
    """Local folder (default settings.OER_SOURCE_DIR) or URL archive → a local root directory."""
    if not source:
        source = str(settings.OER_SOURCE_DIR)
    if source.startswith(("http://", "https://")):
        return fetch_archive(source, sha256=sha256)
    root = Path(source).expanduser().resolve()
    if not root.is_dir():
        raise DownloadError(f"source directory not found: {root}")
    return root


def fetch_archive(url: str, *, sha256: str) -> Path:
    """Download (or reuse the cached) archive, verify sha256, extract safely; return its folder."""
    sha256 = sha256.lower().strip()
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise DownloadError("a sha256 checksum (64 hex digits) is required for archive sources")
    cache = Path(settings.OER_CACHE_DIR)
    target = cache / sha256
    if (target / ".complete").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"{sha256}.archive"
    if not archive.exists() or hashlib.sha256(archive.read_bytes()).hexdigest() != sha256:
        data = _download(url)
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise DownloadError(f"checksum mismatch for {url}: expected {sha256}, got {actual}")
        archive.write_bytes(data)
    partial = cache / f"{sha256}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        safe_extract(archive.read_bytes(), partial)
    except DownloadError:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    (target / ".complete").write_text(url)
    return target


def _download(url: str) -> bytes:
    limit = settings.OER_ARCHIVE_MAX_BYTES
    try:
        with http.client(timeout=httpx.Timeout(connect=5.0, read=60.0, write=10.0, pool=5.0)) as client, \
                client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"GET {url}: HTTP {response.status_code}")
            buffer = io.BytesIO()
            for part in response.iter_bytes():
                buffer.write(part)
                if buffer.tell() > limit:
                    raise DownloadError(f"archive larger than {limit} bytes")
            return buffer.getvalue()
    except httpx.HTTPError as exc:
        raise DownloadError(f"GET {url}: {exc.__class__.__name__}: {exc}") from exc


def _safe_member_path(name: str, root: Path) -> Path:
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts or (posix.parts and ":" in posix.parts[0]):
        raise DownloadError(f"unsafe path in archive: {name!r}")
    path = (root / posix).resolve()
    if not path.is_relative_to(root.resolve()):
        raise DownloadError(f"unsafe path in archive: {name!r}")
    return path


def safe_extract(data: bytes, dest: Path) -> None:
    """Extract a zip or tar(.gz) archive into dest, refusing traversal, links and bombs."""
    max_total, max_ratio = settings.OER_EXTRACT_MAX_BYTES, settings.OER_EXTRACT_MAX_RATIO
    dest.mkdir(parents=True, exist_ok=True)
    written = 0

    def copy(stream, path: Path, declared: int, compressed: int) -> None:
        nonlocal written
        if compressed and declared / max(compressed, 1) > max_ratio and declared > 1_000_000:
            raise DownloadError(f"zip bomb suspected: {path.name} expands {declared // compressed}x")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            while chunk := stream.read(1 << 16):
                written += len(chunk)
                if written > max_total:
                    raise DownloadError(f"archive expands beyond {max_total} bytes (zip bomb?)")
                out.write(chunk)

    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > max_total:
                raise DownloadError(f"archive declares more than {max_total} bytes (zip bomb?)")
            for member in members:
                path = _safe_member_path(member.filename, dest)
                if (member.external_attr >> 16) & 0o170000 == 0o120000:
                    raise DownloadError(f"symbolic link in archive: {member.filename!r}")
                if member.is_dir():
                    path.mkdir(parents=True, exist_ok=True)
                    continue
                with archive.open(member) as stream:
                    copy(stream, path, member.file_size, member.compress_size)
        return
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - closed below
    except tarfile.TarError as exc:
        raise DownloadError(f"not a zip or tar archive: {exc}") from exc
    with archive:
        for member in archive.getmembers():
            path = _safe_member_path(member.name, dest)
            if member.issym() or member.islnk() or member.isdev():
                raise DownloadError(f"link or device in archive: {member.name!r}")
            if member.isdir():
                path.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                stream = archive.extractfile(member)
                copy(stream, path, member.size, 0)
