"""Teacher tools point at the catalogue's new home, ingestion.Topic (issue 16). State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("schools", "0003_pinned_lessons"),
        ("ingestion", "0003_catalogue_moved_in"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="assignment", name="topic",
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments",
                                        to="ingestion.topic")),
            migrations.AlterField(
                model_name="lessonblock", name="topic",
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                        to="ingestion.topic")),
            migrations.AlterField(
                model_name="pinnedlesson", name="topic",
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                        to="ingestion.topic")),
        ]),
    ]
