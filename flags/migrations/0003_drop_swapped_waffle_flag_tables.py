"""Drop waffle's own flag tables: WAFFLE_FLAG_MODEL swaps `waffle.Flag` for `flags.Flag`, but
waffle's migrations still create `waffle_flag*`. Left in place, their FKs to auth_group and
accounts_user make Django's flush (TRUNCATE in transactional tests) fail."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("flags", "0002_default_flags"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS waffle_flag_groups, waffle_flag_users, waffle_flag",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
