"""Assignments, lesson blocks and pins move to content, signal dismissals to teaching (issue 16).

State only: the tables stay where they are; content/0008 and teaching/0001 take the models over
(and rename their content types).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("schools", "0004_topic_moved_to_ingestion")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="Assignment"),
            migrations.DeleteModel(name="LessonBlock"),
            migrations.DeleteModel(name="PinnedLesson"),
            migrations.DeleteModel(name="SignalDismissal"),
        ]),
    ]
