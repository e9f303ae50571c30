"""Assignments, lesson blocks and pins (from schools) and the moderation queue (from accounts)
belong to content now (issue 16).

State only: the tables keep their names (schools_assignment, schools_assignment_students,
schools_lessonblock, schools_pinnedlesson, accounts_moderationreview); the content types are
renamed in place, so permissions and admin log entries follow the models.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Replace

from vividly.model_moves import move_content_types

MODELS = [
    migrations.CreateModel(
        name="Assignment",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("due_at", models.DateTimeField()),
            ("note", models.CharField(blank=True, max_length=300)),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            ("classroom", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignments",
                                            to="schools.classroom")),
            ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                             related_name="+", to=settings.AUTH_USER_MODEL)),
            ("students", models.ManyToManyField(blank=True, db_table="schools_assignment_students",
                                                help_text="Leave empty to assign the whole class.",
                                                related_name="assignments", to=settings.AUTH_USER_MODEL)),
            ("topic", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="assignments",
                                        to="ingestion.topic")),
        ],
        options={
            "db_table": "schools_assignment",
            "ordering": ["due_at", "pk"],
            "indexes": [models.Index(fields=["classroom", "due_at"], name="schools_ass_classro_068c9e_idx")],
        },
    ),
    migrations.CreateModel(
        name="LessonBlock",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("reason", models.CharField(blank=True, max_length=300)),
            ("created_at", models.DateTimeField(auto_now_add=True)),
            ("classroom", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="lesson_blocks",
                                            to="schools.classroom")),
            ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                             related_name="+", to=settings.AUTH_USER_MODEL)),
            ("interest", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to="accounts.interest")),
            ("topic", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                        to="ingestion.topic")),
        ],
        options={
            "db_table": "schools_lessonblock",
            "constraints": [models.UniqueConstraint(fields=("classroom", "topic", "interest"),
                                                    name="unique_lesson_block")],
        },
    ),
    migrations.CreateModel(
        name="PinnedLesson",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("note", models.CharField(blank=True, max_length=300)),
            ("pinned_at", models.DateTimeField(auto_now_add=True)),
            ("classroom", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pinned_lessons",
                                            to="schools.classroom")),
            ("lesson", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pins",
                                         to="content.lesson")),
            ("pinned_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
            ("topic", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                        to="ingestion.topic")),
        ],
        options={
            "db_table": "schools_pinnedlesson",
            "constraints": [models.UniqueConstraint(fields=("classroom", "topic"), name="one_pinned_lesson_per_topic")],
        },
    ),
    migrations.CreateModel(
        name="ModerationReview",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("tier", models.PositiveSmallIntegerField(choices=[(1, "Blocked with a kind message"),
                                                               (2, "Teacher notified"),
                                                               (3, "Escalated to district admins")], default=1)),
            ("status", models.CharField(choices=[("open", "Open"), ("reviewed", "Reviewed")], db_index=True,
                                        default="open", max_length=10)),
            ("escalated_to", models.PositiveSmallIntegerField(default=0, help_text="District admins alerted")),
            ("reviewed_at", models.DateTimeField(blank=True, null=True)),
            ("notes", models.TextField(blank=True, help_text="Staff notes (do not write the student's name)")),
            ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ("district", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to="schools.district")),
            ("reviewed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                              related_name="+", to=settings.AUTH_USER_MODEL)),
            ("safety_event", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="review",
                                                  to="content.safetyevent")),
            ("school", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                         related_name="+", to="schools.school")),
        ],
        options={"db_table": "accounts_moderationreview", "ordering": ["status", "-tier", "-created_at"]},
    ),
]


OLD_REVIEW_URL, NEW_REVIEW_URL = "/admin/accounts/moderationreview/", "/admin/content/moderationreview/"


def _alert_links(old: str, new: str):
    def relink(apps, schema_editor):
        notification = apps.get_model("content", "Notification")
        notification.objects.filter(url__startswith=old).update(url=Replace("url", Value(old), Value(new)))

    return relink


class Migration(migrations.Migration):

    dependencies = [
        ("content", "0007_catalogue_moved_to_ingestion"),
        ("schools", "0005_teacher_tools_moved_out"),
        ("accounts", "0008_moderation_review_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=MODELS),
        move_content_types(("assignment", "schools", "content"), ("lessonblock", "schools", "content"),
                           ("pinnedlesson", "schools", "content"), ("moderationreview", "accounts", "content")),
        # district escalation alerts link to the review's admin page, which moved with the model
        migrations.RunPython(_alert_links(OLD_REVIEW_URL, NEW_REVIEW_URL), _alert_links(NEW_REVIEW_URL, OLD_REVIEW_URL)),
    ]
