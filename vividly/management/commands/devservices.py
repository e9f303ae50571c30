from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vividly import devservices


class Command(BaseCommand):
    help = "Start, stop or report the embedded PostgreSQL+pgvector and Redis-compatible servers."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])

    def handle(self, *args, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("Embedded services never run in production.")
        actions = {"start": devservices.start_all, "stop": devservices.stop_all,
                   "status": devservices.status_all}
        try:
            statuses = actions[options["action"]](settings)
        except devservices.ServiceError as exc:
            raise CommandError(str(exc)) from exc
        if not statuses:
            self.stdout.write("DATABASE_URL and REDIS_URL are set: nothing embedded to manage.")
        for status in statuses:
            style = self.style.SUCCESS if status.running else self.style.WARNING
            state = "running" if status.running else "stopped"
            self.stdout.write(style(f"{status.name:9} {state:8} port {status.port}  {status.detail}"))
