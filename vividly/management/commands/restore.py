from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vividly.backup import BackupError, database_url, restore_backup, verify_restore


class Command(BaseCommand):
    help = "Restore a backup directory (database + media) and verify every table against its manifest."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="A directory written by `manage.py backup`.")
        parser.add_argument("--database-url", help="Restore into this database instead of the configured one.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before overwriting.")

    def handle(self, *args, **options):
        source = options["source"]
        if not options["yes"]:
            answer = input(f"This replaces the data in the target database with {source}. Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            seconds = restore_backup(source=source, target_url=options["database_url"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

        differences = verify_restore(source=source, target_url=options["database_url"] or database_url())
        if differences:
            raise CommandError(f"Restored, but {len(differences)} table(s) differ: {sorted(differences)}")
        self.stdout.write(self.style.SUCCESS(f"Restored {source} in {seconds:.1f} s; every table matches."))
