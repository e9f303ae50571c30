"""`manage.py vector_index sync`: stream every active 768-dim version into Vertex AI Vector Search.

Ingestion publishes a version when it becomes active; run this after creating the index (first
deployment), or when an ingest run recorded a `vector_search` error (the index was unreachable).
Upserts are idempotent (datapoint id = chunk id).
"""

from django.core.management.base import BaseCommand, CommandError

from ingestion import retrieval
from ingestion.models import IndexVersion
from vividly.providers.base import ProviderError


class Command(BaseCommand):
    help = "Publish the active index versions' datapoints to Vertex AI Vector Search (RETRIEVAL_BACKEND)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["sync"])

    def handle(self, *args, **options):
        if retrieval.backend() != retrieval.VERTEX:
            raise CommandError("RETRIEVAL_BACKEND is not vertex_vector_search (or VECTOR_SEARCH_* ids are missing).")
        total = 0
        for version in IndexVersion.objects.filter(status=IndexVersion.Status.ACTIVE, dimensions=768).order_by("pk"):
            try:
                sent = retrieval.publish_version(version.pk, retired_chunk_ids=[])
            except ProviderError as exc:
                raise CommandError(f"{version}: {exc}") from exc
            total += sent
            self.stdout.write(f"{version.book_slug}: {sent} datapoints")
        self.stdout.write(self.style.SUCCESS(f"{total} datapoints upserted"))
