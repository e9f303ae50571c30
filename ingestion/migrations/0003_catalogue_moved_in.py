"""The textbook catalogue (Book, Chapter, Topic) moves here from the content app (issue 16).

State only: the tables keep their names (content_book, content_chapter, content_topic) and no SQL
runs. content/0007 drops the models from the content app's state and renames their content types.
"""

import django.db.models.deletion
from django.db import migrations, models

CATALOGUE = [
    migrations.CreateModel(
        name="Book",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("slug", models.SlugField(max_length=80, unique=True)),
            ("title", models.CharField(max_length=200)),
            ("subject", models.CharField(choices=[("physics", "Physics"), ("chemistry", "Chemistry"),
                                                  ("biology", "Biology"), ("computer_science", "Computer Science")],
                                         max_length=32)),
            ("attribution", models.TextField(blank=True)),
            ("license_url", models.URLField(blank=True)),
            ("source_commit", models.CharField(blank=True, max_length=64)),
            ("source_url", models.URLField(blank=True, help_text="Public book page (for citations)")),
        ],
        options={"db_table": "content_book", "ordering": ["subject", "title"]},
    ),
    migrations.CreateModel(
        name="Chapter",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("number", models.PositiveSmallIntegerField()),
            ("title", models.CharField(max_length=300)),
            ("unit_title", models.CharField(blank=True, help_text="Biology groups chapters in units", max_length=300)),
            ("book", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="chapters",
                                       to="ingestion.book")),
        ],
        options={
            "db_table": "content_chapter",
            "ordering": ["book", "number"],
            "constraints": [models.UniqueConstraint(fields=("book", "number"), name="unique_chapter_number")],
        },
    ),
    migrations.CreateModel(
        name="Topic",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("module_id", models.CharField(help_text="OpenStax module id, e.g. m54057", max_length=20, unique=True)),
            ("number", models.PositiveSmallIntegerField(help_text="Section number within the chapter (0 = intro)")),
            ("title", models.CharField(max_length=300)),
            ("learning_objectives", models.JSONField(blank=True, default=list)),
            ("key_terms", models.JSONField(blank=True, default=list, help_text="Bold terms of the section")),
            ("glossary", models.JSONField(blank=True, default=list,
                                          help_text='[{"term", "meaning"}] from the module')),
            ("summary", models.TextField(blank=True)),
            ("is_active", models.BooleanField(default=True)),
            ("chapter", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="topics",
                                          to="ingestion.chapter")),
        ],
        options={"db_table": "content_topic", "ordering": ["chapter", "number"]},
    ),
]


class Migration(migrations.Migration):

    dependencies = [
        ("ingestion", "0002_chunk_kind_practice"),
        ("content", "0005_backfill_alert_links_and_watch_time"),  # the catalogue tables exist
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            *CATALOGUE,
            migrations.AlterField(
                model_name="chunk", name="topic",
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="chunks",
                                        to="ingestion.topic")),
            migrations.AlterField(
                model_name="practiceitem", name="topic",
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="practice_items",
                                        to="ingestion.topic")),
        ]),
    ]
