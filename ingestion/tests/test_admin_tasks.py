"""Admin (read-only runs, 'Start ingest' button) and the Celery task wrappers."""

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from ingestion.models import Chunk, IndexVersion, IngestionRun
from ingestion.tasks import (
    chunk_task,
    download_task,
    embed_task,
    index_task,
    process_task,
    run_ingest_task,
)
from tests.support.corpus import MINI_CORPUS_DIR
from vividly.celery import app


@pytest.fixture
def superuser(db, tenant_a):
    return UserFactory(is_superuser=True, is_staff=True, role="district_admin", school=None,
                       district=tenant_a.district)


def test_runs_are_visible_read_only(client, mini_corpus, superuser):
    client.force_login(superuser)
    body = client.get(reverse("admin:ingestion_ingestionrun_changelist")).content.decode()
    assert "Start ingest" in body
    run = IngestionRun.objects.order_by("-pk").first()
    assert client.get(reverse("admin:ingestion_ingestionrun_change", args=[run.pk])).status_code == 200
    assert client.post(reverse("admin:ingestion_ingestionrun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403


def test_start_button_queues_a_run_on_commit(client, superuser, django_capture_on_commit_callbacks, settings):
    settings.OER_SOURCE_DIR = MINI_CORPUS_DIR
    client.force_login(superuser)
    before = set(IngestionRun.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("admin:ingestion_start"), {"book": "chemistry"})
    assert response.status_code == 302
    run = IngestionRun.objects.exclude(pk__in=before).get()
    assert (run.books, run.status) == (["chemistry"], "running")
    assert len(callbacks) == 1
    # the queued task, executed: the whole pipeline for that run
    assert run_ingest_task.apply(args=[run.pk]).get() == "succeeded"
    run.refresh_from_db()
    assert run.counts["topics"] == 3
    assert IndexVersion.objects.filter(book_slug="chemistry-2e", status="active").exists()
    assert set(run.timings) >= {"download", "chemistry-2e:process", "chemistry-2e:chunk", "total"}


def test_non_superuser_cannot_start(client, tenant_a):
    admin = tenant_a.district_admin
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    before = IngestionRun.objects.count()
    client.post(reverse("admin:ingestion_start"), {"book": "all"})
    assert IngestionRun.objects.count() == before


def test_stage_tasks_run_each_stage(db):
    # the five stages as separate Celery tasks, chained by hand with their primitive arguments
    run = IngestionRun.objects.create(books=["biology"], source=str(MINI_CORPUS_DIR))
    root = download_task.apply(args=[run.pk, str(MINI_CORPUS_DIR)]).get()
    assert process_task.apply(args=[run.pk, root, "biology-2e"]).get() == "biology-2e"
    version_id = chunk_task.apply(args=[run.pk, "biology-2e", True]).get()  # force: a fresh version
    assert embed_task.apply(args=[run.pk, version_id]).get() >= 0
    assert not Chunk.objects.filter(version_id=version_id, embedding_384__isnull=True).exists()
    assert index_task.apply(args=[run.pk, version_id]).get() == version_id
    assert IndexVersion.objects.get(pk=version_id).status == "active"


def test_ingestion_tasks_are_routed_to_the_ingestion_queue():
    for task in (run_ingest_task, download_task, process_task, chunk_task, embed_task, index_task):
        assert app.amqp.router.route({}, task.name)["queue"].name == "ingestion"
