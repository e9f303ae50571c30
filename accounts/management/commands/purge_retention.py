"""manage.py purge_retention [--hourly|--daily|--erase]: run the retention tasks now and print the report."""

import json

from django.core.management.base import BaseCommand

from accounts.privacy import services


class Command(BaseCommand):
    help = "Apply the retention schedule (RETENTION_SCHEDULE) now; prints what was purged."

    def add_arguments(self, parser):
        parser.add_argument("--hourly", action="store_true")
        parser.add_argument("--daily", action="store_true")
        parser.add_argument("--erase", action="store_true", help="Erase students past the recovery window")

    def handle(self, *args, hourly, daily, erase, **options):
        everything = not (hourly or daily or erase)
        if hourly or everything:
            self.stdout.write("hourly " + json.dumps(services.purge_hourly().purged))
        if daily or everything:
            self.stdout.write("daily " + json.dumps(services.purge_daily().purged))
        if erase or everything:
            self.stdout.write(f"erased {len(services.erase_due_students())} student(s)")
