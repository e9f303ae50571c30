"""Backup and restore: pg_dump/pg_restore of the database plus an archive of the media folder.

A backup is a directory holding `database.dump` (pg_dump custom format), `media.tar.gz` and
`manifest.json` (per-table row counts and content checksums), so a restore can be verified
table by table (`verify_restore`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from django.conf import settings
from django.utils import timezone

from vividly import devservices

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"


class BackupError(RuntimeError):
    """A backup or restore step failed; the message says which and why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    seconds: float


def _binary(name: str) -> str:
    embedded = devservices.pg_bin(name)
    if embedded.exists():
        return str(embedded)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found")
    return found


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def table_fingerprints(url: str) -> dict[str, dict[str, object]]:
    """Row count and an order-independent md5 of every public table's contents."""
    result: dict[str, dict[str, object]] = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (table,) in cur.fetchall():
            cur.execute(
                psycopg.sql.SQL(
                    "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') "
                    "FROM {} t"
                ).format(psycopg.sql.Identifier(table))
            )
            count, digest = cur.fetchone()
            result[table] = {"rows": count, "md5": digest}
    return result


def create_backup(*, destination: Path | None = None, include_media: bool = True) -> BackupResult:
    """Dump the database and media into a new timestamped directory; returns its path."""
    started = time.monotonic()
    root = destination or settings.VAR_DIR / "backups"
    target = root / timezone.now().strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, exist_ok=False)
    url = database_url()
    dump = subprocess.run([_binary("pg_dump"), "--format=custom", "--no-owner", "--no-acl",  # noqa: S603 - pg_dump from the embedded build or PATH (_binary); arguments are settings, no shell
                           f"--file={target / DUMP}", url], capture_output=True, text=True, check=False)
    if dump.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
    media_root = Path(settings.MEDIA_ROOT)
    if include_media and media_root.exists():
        with tarfile.open(target / MEDIA, "w:gz") as archive:
            archive.add(media_root, arcname="media")
    fingerprints = table_fingerprints(url)
    (target / MANIFEST).write_text(json.dumps({
        "created_at": timezone.now().isoformat(), "database": urlparse(url).path.lstrip("/"),
        "tables": fingerprints, "media": include_media and media_root.exists(),
    }, indent=2))
    return BackupResult(target, len(fingerprints), time.monotonic() - started)


def restore_backup(*, source: Path, target_url: str | None = None, media_root: Path | None = None) -> float:
    """Restore a backup directory into target_url (default: this project's database)."""
    started = time.monotonic()
    if not (source / DUMP).exists():
        raise BackupError(f"{source} is not a backup (no {DUMP})")
    url = target_url or database_url()
    restore = subprocess.run([_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-acl",  # noqa: S603 - pg_restore from the embedded build or PATH (_binary); arguments are settings, no shell
                              "--single-transaction", f"--dbname={url}", str(source / DUMP)],
                             capture_output=True, text=True, check=False)
    if restore.returncode != 0:
        raise BackupError(f"pg_restore failed: {restore.stderr.strip()[-2000:]}")
    media_archive = source / MEDIA
    if media_archive.exists():
        destination = media_root or Path(settings.MEDIA_ROOT)
        destination.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media_archive, "r:gz") as archive:
            members = [m for m in archive.getmembers() if m.name.startswith("media")]
            for member in members:
                member.name = member.name.removeprefix("media").lstrip("/") or "."
            # filter="data" refuses absolute paths, links out of the tree and device files.
            archive.extractall(destination, members=members, filter="data")
    return time.monotonic() - started


def verify_restore(*, source: Path, target_url: str) -> dict[str, tuple]:
    """Tables whose row count or checksum differs from the backup manifest (empty = identical)."""
    expected = json.loads((source / MANIFEST).read_text())["tables"]
    actual = table_fingerprints(target_url)
    return {table: (expected.get(table), actual.get(table))
            for table in set(expected) | set(actual) if expected.get(table) != actual.get(table)}
