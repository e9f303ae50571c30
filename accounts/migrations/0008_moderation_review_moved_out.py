"""The moderation queue (ModerationReview) moves to content, beside the SafetyEvent it reviews
(issue 16). State only: the table stays accounts_moderationreview; content/0008 takes it over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_district_admin_has_no_school"),
        # content/0005's backfill reads accounts.ModerationReview: it must still be here then
        ("content", "0005_backfill_alert_links_and_watch_time"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ModerationReview")]),
    ]
