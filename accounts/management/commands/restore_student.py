"""manage.py restore_student EMAIL: undo a soft delete within the recovery window."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.privacy import services
from schools.tenancy import Role


class Command(BaseCommand):
    help = "Restore a soft-deleted student (within the 30-day recovery window)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        student = User.objects.filter(email__iexact=email, role=Role.STUDENT).first()
        if student is None:
            raise CommandError("No student with that email (already erased?).")
        try:
            services.restore_student(student=student)
        except services.DeletionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored user {student.pk}")
