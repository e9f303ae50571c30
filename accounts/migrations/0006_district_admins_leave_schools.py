"""Data: a district admin never belongs to one school (issue 15, finding 2). Clear the school of any
district admin that has one, keeping their district; the next migration adds the check constraint."""

from django.db import migrations


def clear_district_admin_schools(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(role="district_admin", school__isnull=False).select_related("school"):
        user.district_id = user.district_id or user.school.district_id
        user.school = None
        user.save(update_fields=["district", "school"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_person_name_validators")]

    operations = [migrations.RunPython(clear_district_admin_schools, migrations.RunPython.noop)]
