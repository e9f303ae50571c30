"""`manage.py check_providers`: is every configured AI provider reachable and set up? (issue 19)

Prints one line per capability (ok/FAILED, where, why) and exits 1 when any check failed. Run it
after deploying (docs/operations.md); locally it reports the local providers.
"""

from django.core.management.base import BaseCommand, CommandError

from ingestion.checks import check_retrieval
from vividly.providers.checks import run_checks


class Command(BaseCommand):
    help = "Make one tiny real call per configured provider and report ok/failed with the reason."
    requires_system_checks = []

    def handle(self, *args, **options):
        results = [*run_checks(), check_retrieval()]
        for check in results:
            status = self.style.SUCCESS("ok    ") if check.ok else self.style.ERROR("FAILED")
            self.stdout.write(f"{status} {check.capability:<10} {check.provider:<22} {check.detail}"
                              f"{f' ({check.seconds:.1f}s)' if check.seconds else ''}")
        failed = [c.capability for c in results if not c.ok]
        if failed:
            raise CommandError(f"{len(failed)} provider check(s) failed: {', '.join(failed)}")
