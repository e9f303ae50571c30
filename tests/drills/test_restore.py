"""Drill 4: back up a seeded, ingested, used database; restore into a fresh PostgreSQL; compare all."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection

from tests.backup.test_backup_restore import fresh_postgres  # noqa: F401 - fixture reused
from vividly.backup import create_backup, restore_backup, table_fingerprints, verify_restore

from ._support import ROOT, record, server_env

pytestmark = [pytest.mark.drills, pytest.mark.django_db(transaction=True)]


def _search_snapshot(database_url: str) -> dict:
    out = subprocess.run([sys.executable, str(ROOT / "drills" / "search_snapshot.py")], cwd=ROOT,  # noqa: S603 - this interpreter running our own snapshot script
                         env=server_env(DATABASE_URL=database_url), capture_output=True, text=True,
                         timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_restore_of_a_used_database_matches_tables_and_search(  # noqa: PLR0917
        tenant_a, tenant_b, mini_corpus, tmp_path, settings, fresh_postgres, api_client_for):  # noqa: F811
    # given a seeded, ingested database that has been used (a lesson request, progress)
    call_command("seed", force=True)
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "lessons").mkdir(parents=True)
    (settings.MEDIA_ROOT / "lessons" / "poster.png").write_bytes(b"\x89PNG drill")
    client = api_client_for(tenant_a.student)
    client.post("/api/v1/lessons/requests/", {"topic_id": mini_corpus.topic("m90101").pk}, format="json")
    client.get("/api/v1/me/")

    db = connection.settings_dict
    source_url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    before = _search_snapshot(source_url)
    # when it is backed up and restored into a brand-new cluster
    started = time.monotonic()
    backup = create_backup(destination=tmp_path / "backups")
    backup_seconds = time.monotonic() - started
    started = time.monotonic()
    restore_backup(source=backup.path, target_url=fresh_postgres, media_root=tmp_path / "restored-media")
    rto = time.monotonic() - started
    # then every table and every search result matches
    diff = verify_restore(source=backup.path, target_url=fresh_postgres)
    tables = table_fingerprints(fresh_postgres)
    after = _search_snapshot(fresh_postgres)
    equal = sum(before[q] == after[q] for q in before)
    record("restore", "tables equal (rows + checksum)", f"{len(tables) - len(diff)}/{len(tables)}", "100%")
    record("restore", "search queries equal (top-5)", f"{equal}/{len(before)}", "20/20")
    record("restore", "backup time (s)", round(backup_seconds, 1))
    record("restore", "RTO: restore into fresh cluster (s)", round(rto, 1))
    record("restore", "RPO (Cloud SQL PITR)", "PITR to any second in 7 days (last commit); 24 h without PITR")
    assert diff == {}
    assert all(before[q] for q in before), "every drill query should find passages"
    assert equal == len(before)
    assert (tmp_path / "restored-media" / "lessons" / "poster.png").read_bytes() == b"\x89PNG drill"
