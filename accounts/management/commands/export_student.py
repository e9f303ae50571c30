"""manage.py export_student EMAIL [--media] [--output FILE]: build a student's data export now."""

import shutil

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.privacy import services
from accounts.privacy.models import DataExport
from schools.tenancy import Role


class Command(BaseCommand):
    help = "Export everything Vividly holds about one student as a ZIP (support staff)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--media", action="store_true", help="Include media files instead of links")
        parser.add_argument("--output", help="Also copy the ZIP to this path")

    def handle(self, *args, email, media, output, **options):
        student = User.objects.filter(email__iexact=email, role=Role.STUDENT).first()
        if student is None:
            raise CommandError("No student with that email.")
        export = DataExport.objects.create(district_id=student.district_id, student=student, include_media=media)
        export = services.run_export(export_id=export.pk)
        if output:
            with services.export_storage().open(export.file_name, "rb") as src, open(output, "wb") as dst:
                shutil.copyfileobj(src, dst)
        self.stdout.write(f"export {export.pk}: {export.size_bytes} bytes, "
                          f"link token {services.download_token(export)} (expires {export.expires_at:%Y-%m-%d %H:%M})")
