"""Restore drill: back up a used database, restore it into a FRESH embedded PostgreSQL + pgvector,
and compare every table's row count and content checksum."""

import shutil
import socket

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from vividly import devservices
from vividly.backup import create_backup, restore_backup, table_fingerprints, verify_restore

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_postgres():
    """A brand-new PostgreSQL cluster (initdb) on its own port, removed afterwards."""
    var_dir = settings.VAR_DIR / "drills" / f"pg-{_free_port()}"
    port = _free_port()
    devservices.postgres_start(var_dir, port)
    yield f"postgresql://{devservices.PG_USER}@127.0.0.1:{port}/{devservices.PG_DB}"
    devservices.postgres_stop(var_dir)
    shutil.rmtree(var_dir, ignore_errors=True)


def test_backup_restores_into_a_fresh_cluster_with_identical_tables(tenant_a, tenant_b, tmp_path, settings,
                                                                   fresh_postgres):
    # given a used database and a media file
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "lessons").mkdir(parents=True)
    (settings.MEDIA_ROOT / "lessons" / "poster.png").write_bytes(b"\x89PNG fake")
    call_command("seed")
    # when it is backed up and restored into an empty cluster
    backup = create_backup(destination=tmp_path / "backups")
    restored_media = tmp_path / "restored-media"
    restore_backup(source=backup.path, target_url=fresh_postgres, media_root=restored_media)
    # then every table matches, including users of both districts, and media came back
    assert verify_restore(source=backup.path, target_url=fresh_postgres) == {}
    fingerprints = table_fingerprints(fresh_postgres)
    assert fingerprints["accounts_user"]["rows"] == User.objects.count() > 40
    assert (restored_media / "lessons" / "poster.png").read_bytes() == b"\x89PNG fake"


def test_verify_restore_detects_a_changed_row(tenant_a, tmp_path, fresh_postgres):
    backup = create_backup(destination=tmp_path / "backups", include_media=False)
    restore_backup(source=backup.path, target_url=fresh_postgres)

    with psycopg.connect(fresh_postgres, autocommit=True) as conn:
        conn.execute("UPDATE accounts_user SET first_name = 'Tampered' WHERE id = %s", [tenant_a.student.pk])
    assert set(verify_restore(source=backup.path, target_url=fresh_postgres)) == {"accounts_user"}
