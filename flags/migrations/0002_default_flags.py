"""Create the default flags from flags.defaults (the evaluator falls back to the same values)."""

from django.db import migrations

from flags.defaults import DEFAULT_FLAGS


def create_default_flags(apps, schema_editor):
    Flag = apps.get_model("flags", "Flag")
    for key, default in DEFAULT_FLAGS.items():
        Flag.objects.get_or_create(
            name=key,
            defaults={"everyone": default.everyone, "percent": default.percent, "note": default.note,
                      "district_manageable": default.district_manageable},
        )


def remove_default_flags(apps, schema_editor):
    apps.get_model("flags", "Flag").objects.filter(name__in=list(DEFAULT_FLAGS)).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("flags", "0001_flags_overrides_audit"),
    ]

    operations = [
        migrations.RunPython(create_default_flags, remove_default_flags),
    ]
