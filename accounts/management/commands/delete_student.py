"""manage.py delete_student EMAIL [--now]: soft delete (30-day recovery), or erase at once."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.privacy import services
from schools.tenancy import Role


class Command(BaseCommand):
    help = "Delete a student: recoverable for 30 days (restore_student), or erased now with --now."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--now", action="store_true", help="Erase immediately and print the certificate")

    def handle(self, *args, email, now, **options):
        student = User.objects.filter(email__iexact=email, role=Role.STUDENT).first()
        if student is None:
            raise CommandError("No student with that email.")
        if not now:
            services.soft_delete_student(student=student)
            self.stdout.write(f"soft-deleted user {student.pk}; erased after the recovery window")
            return
        certificate = services.erase_student(student=student)
        self.stdout.write(f"erased: certificate {certificate.pk} pseudonym {certificate.pseudonym} "
                          f"rows {sum(certificate.counts.values())} media files {certificate.media_files_deleted} "
                          f"shared lessons kept {certificate.shared_lessons_kept}")
