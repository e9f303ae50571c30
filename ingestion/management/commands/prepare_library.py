"""`manage.py prepare_library [--source DIR] [--wait]`: what `make run` calls after the seed.

Records each book's state and enqueues the background preparation if a book is new or changed;
returns in about a second either way. `--wait` prepares in this process instead (no worker needed).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from ingestion import library
from ingestion.download import DownloadError
from ingestion.library_status import library_status


class Command(BaseCommand):
    help = "Queue the textbooks that are new or changed for background preparation (Physics first)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--source", default=None, help="corpus folder (default OER_SOURCE_DIR)")
        parser.add_argument("--wait", action="store_true", help="prepare here and now instead of in the worker")

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                todo = library.plan(source=options["source"]) if options["wait"] else \
                    library.start(source=options["source"])
        except DownloadError as exc:
            self.stdout.write(self.style.WARNING(
                f"No textbooks to prepare: {exc}. Point OER_SOURCE_DIR at the OpenStax CNXML folder "
                "(e.g. `OER_SOURCE_DIR=/path/to/oer/openstax make run`) or pass --source DIR|URL."))
            return
        if todo and options["wait"]:
            library.prepare(source=options["source"])
        elif todo:
            names = ", ".join(row.label for row in todo)
            self.stdout.write(f"Preparing the library in the background (worker queue 'ingestion'): {names}.")
        self.stdout.write(library_status().summary or "The library is ready.")
