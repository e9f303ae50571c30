"""Moving a model to another app without touching its table (issue 16).

The model keeps its table (`Meta.db_table`); the migrations of both apps change only Django's
state (`SeparateDatabaseAndState`), so `sqlmigrate` shows no SQL. What does live in the database
under the app label is the content type row: permissions, admin log entries and any generic
relation point at it by id. `move_content_types()` renames those rows in place, so every such
reference follows the model to its new app.
"""

from __future__ import annotations

from django.db import migrations


def _rename(apps, moves: tuple[tuple[str, str, str], ...]) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    log_entry = apps.get_model("admin", "LogEntry")
    for model, old_app, new_app in moves:
        old = content_type.objects.filter(app_label=old_app, model=model).first()
        if old is None:  # a fresh database: post_migrate creates the new row later
            continue
        new = content_type.objects.filter(app_label=new_app, model=model).first()
        if new is not None:
            # Only an earlier partial `migrate` (its post_migrate) can have made the new row: its
            # default permissions are duplicates of the old row's, and log entries move over.
            log_entry.objects.filter(content_type=new).update(content_type=old)
            permission.objects.filter(content_type=new).delete()
            new.delete()
        old.app_label = new_app
        old.save(update_fields=["app_label"])


def move_content_types(*moves: tuple[str, str, str]) -> migrations.RunPython:
    """RunPython renaming the content types of (model, old app, new app), reversibly."""

    def forwards(apps, schema_editor):
        _rename(apps, moves)

    def backwards(apps, schema_editor):
        _rename(apps, tuple((model, new_app, old_app) for model, old_app, new_app in moves))

    return migrations.RunPython(forwards, backwards)
