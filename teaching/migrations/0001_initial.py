"""Signal dismissals move here from schools (issue 16). State only: the table stays
schools_signaldismissal; its content type is renamed in place."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from vividly.model_moves import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("schools", "0005_teacher_tools_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="SignalDismissal",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                               verbose_name="ID")),
                    ("kind", models.CharField(choices=[
                        ("repeated_question", "Asked about the same concept 3 times"),
                        ("stops_halfway", "Stops most videos halfway"), ("failed_quiz", "Failed the quiz"),
                        ("failed_requiz", "Failed the re-quiz"), ("inactive", "No activity for 7 days"),
                        ("low_engagement", "Engagement under 30% of the class average"),
                        ("reported_problem", "Reported a problem")], max_length=32)),
                    ("fingerprint", models.CharField(max_length=120)),
                    ("dismissed_at", models.DateTimeField(auto_now_add=True)),
                    ("classroom", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                    related_name="signal_dismissals", to="schools.classroom")),
                    ("dismissed_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                       related_name="+", to=settings.AUTH_USER_MODEL)),
                    ("student", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                                  to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    "db_table": "schools_signaldismissal",
                    "constraints": [models.UniqueConstraint(fields=("classroom", "student", "kind", "fingerprint"),
                                                            name="unique_signal_dismissal")],
                },
            ),
        ]),
        move_content_types(("signaldismissal", "schools", "teaching")),
    ]
