from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from teaching import seeding


class Command(BaseCommand):
    help = "Create the Davidson County demo district (idempotent) and print the test logins."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Wipe and re-create the seed data only.")
        parser.add_argument("--force", action="store_true", help="Allow running with DEBUG off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Refusing to seed demo accounts with DEBUG off (use --force).")
        if options["reset"]:
            seeding.reset_demo_district()
            self.stdout.write("Removed the previous seed data.")
        report = seeding.seed_demo_district()
        created = ", ".join(f"{n} {kind}" for kind, n in report.created.items() if n) or "nothing (already seeded)"
        self.stdout.write(self.style.SUCCESS(f"Seed complete: created {created}."))
        self.stdout.write(f"\n{'Role':<15} {'Email':<48} {'Password':<12} Where")
        self.stdout.write("-" * 110)
        for role, email, password, where in report.logins:
            self.stdout.write(f"{role:<15} {email:<48} {password:<12} {where}")
