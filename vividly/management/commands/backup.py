from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vividly.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and the media folder into .var/backups/<timestamp>/."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Directory to create the backup in.")
        parser.add_argument("--no-media", action="store_true", help="Skip the media folder.")

    def handle(self, *args, **options):
        try:
            result = create_backup(destination=options["output"], include_media=not options["no_media"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Backup written to {result.path} ({result.tables} tables, {result.seconds:.1f} s)."))
