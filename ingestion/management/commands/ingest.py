"""`manage.py ingest [--book physics|chemistry|biology|all] [--source DIR|URL] [--force] [--reembed]`."""

from django.core.management.base import BaseCommand, CommandError

from ingestion import pipeline
from ingestion.models import IngestionRun


class Command(BaseCommand):
    help = "Ingest OpenStax books: download → process → chunk → embed → index."
    requires_system_checks = []  # a data job; must not depend on unrelated URL/admin checks

    def add_arguments(self, parser):
        parser.add_argument("--book", default="all", help="physics, chemistry, biology, a book slug, or all")
        parser.add_argument("--source", default=None, help="corpus folder or archive URL (default OER_SOURCE_DIR)")
        parser.add_argument("--sha256", default="", help="checksum of the archive (required for URLs)")
        parser.add_argument("--force", action="store_true", help="re-parse and rebuild everything")
        parser.add_argument("--reembed", action="store_true", help="re-embed with the configured model")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        run = pipeline.run_ingest(book=options["book"], source=options["source"], sha256=options["sha256"],
                                  force=options["force"], reembed=options["reembed"],
                                  progress=not options["no_progress"])
        for stage, seconds in run.timings.items():
            self.stdout.write(f"  {stage:<28} {seconds:8.2f} s")
        self.stdout.write(f"  counts: {run.counts}")
        for error in run.errors[:20]:
            self.stderr.write(f"  ! {error['stage']} {error['book']} {error['module']}: {error['error']}")
        if run.status == IngestionRun.Status.FAILED:
            raise CommandError(f"ingestion run #{run.pk} failed: {run.errors[-1]['error'] if run.errors else ''}")
        style = self.style.SUCCESS if run.status == IngestionRun.Status.SUCCEEDED else self.style.WARNING
        self.stdout.write(style(f"Ingestion run #{run.pk}: {run.status} ({len(run.errors)} errors)"))
