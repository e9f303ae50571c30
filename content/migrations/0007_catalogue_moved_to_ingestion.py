"""Book, Chapter and Topic now belong to the ingestion app (issue 16).

State only (the tables stay content_book/content_chapter/content_topic); their content types are
renamed in place, so permissions and admin log entries follow them.
"""

import django.db.models.deletion
from django.db import migrations, models

from vividly.model_moves import move_content_types


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0006_scene_audio_timings"),
        ("ingestion", "0003_catalogue_moved_in"),
        ("schools", "0004_topic_moved_to_ingestion"),  # nothing points at content.Topic any more
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name="lesson", name="topic",
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="lessons",
                                        to="ingestion.topic")),
            migrations.AlterField(
                model_name="lessonrequest", name="topic",
                field=models.ForeignKey(blank=True, help_text="Picked by the student or resolved by retrieval",
                                        null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                        to="ingestion.topic")),
            migrations.DeleteModel(name="Topic"),
            migrations.DeleteModel(name="Chapter"),
            migrations.DeleteModel(name="Book"),
        ]),
        move_content_types(("book", "content", "ingestion"), ("chapter", "content", "ingestion"),
                           ("topic", "content", "ingestion")),
    ]
