"""Issue 16 moved models between apps without touching the schema. A database created and used
under the old layout migrates forward with its rows, content types, permissions and admin log
entries intact, and its backup restores into a fresh cluster table for table.

The test database is taken back to the last migrations before the moves (state only: no SQL runs
either way), rows are written through the historical models of the old layout, then `migrate`
runs exactly as a deploy would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from accounts.models import Interest
from content.models import Assignment, LessonBlock, ModerationReview, Notification, PinnedLesson
from ingestion.models import Book, Chapter, Topic
from teaching.models import SignalDismissal
from tests.backup.test_backup_restore import fresh_postgres  # noqa: F401 - fixture reused
from vividly.backup import create_backup, restore_backup, verify_restore

pytestmark = pytest.mark.django_db(transaction=True)

#: the leaf migrations of each app before issue 16
OLD_LAYOUT = [("accounts", "0007_district_admin_has_no_school"), ("content", "0006_scene_audio_timings"),
              ("schools", "0003_pinned_lessons"), ("ingestion", "0002_chunk_kind_practice"), ("teaching", None)]
#: (model, app before, app after)
MOVES = [("book", "content", "ingestion"), ("chapter", "content", "ingestion"), ("topic", "content", "ingestion"),
         ("assignment", "schools", "content"), ("lessonblock", "schools", "content"),
         ("pinnedlesson", "schools", "content"), ("signaldismissal", "schools", "teaching"),
         ("moderationreview", "accounts", "content")]


def _old_layout_apps():
    """Migrate the test database back to the old layout; the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_LAYOUT)
    executor.loader.build_graph()
    return executor.loader.project_state([node for node in OLD_LAYOUT if node[1]]).apps


def _use_the_old_layout(old, tenant) -> dict:
    """Rows of every moved model, written as the old code would have, plus admin history and grants."""
    model = old.get_model
    book = model("content", "Book").objects.create(slug="old-physics", title="Old Physics", subject="physics")
    chapter = model("content", "Chapter").objects.create(book=book, number=1, title="Motion")
    topic = model("content", "Topic").objects.create(chapter=chapter, module_id="mold1", number=1, title="Speed")
    lesson = model("content", "Lesson").objects.create(
        reuse_key="old-layout", topic=topic, module_ids=["mold1"], interest="Music", grade_band="9-10",
        generator_version="old", stage="ready", title="Speed with music")
    assignment = model("schools", "Assignment").objects.create(
        classroom_id=tenant.classroom.pk, topic=topic, due_at=timezone.now() + timedelta(days=3), note="old")
    assignment.students.add(tenant.student.pk)
    interest = Interest.objects.create(slug="music", name="Music", category="arts")
    model("schools", "LessonBlock").objects.create(classroom_id=tenant.classroom.pk, topic=topic,
                                                   interest_id=interest.pk)
    pin = model("schools", "PinnedLesson").objects.create(classroom_id=tenant.classroom.pk, topic=topic, lesson=lesson)
    dismissal = model("schools", "SignalDismissal").objects.create(
        classroom_id=tenant.classroom.pk, student_id=tenant.student.pk, kind="inactive", fingerprint="never")
    event = model("content", "SafetyEvent").objects.create(student_id=tenant.student.pk, category="self_harm")
    review = model("accounts", "ModerationReview").objects.create(safety_event=event,
                                                                  district_id=tenant.district.pk)
    model("content", "Notification").objects.create(
        user_id=tenant.district_admin.pk, kind="safety_alert", title="Safety escalation", safety_event=event,
        url=f"/admin/accounts/moderationreview/{review.pk}/change/")
    content_types = {name: ContentType.objects.get(app_label=app, model=name) for name, app, _ in MOVES}
    for name, obj in (("topic", topic), ("assignment", assignment), ("pinnedlesson", pin),
                      ("signaldismissal", dismissal), ("moderationreview", review)):
        LogEntry.objects.log_action(user_id=tenant.district_admin.pk, content_type_id=content_types[name].pk,
                                    object_id=obj.pk, object_repr=name, action_flag=ADDITION)
    reviewers = Group.objects.create(name="old-layout reviewers")
    reviewers.permissions.set([content_types[name].permission_set.get(codename=f"{verb}_{name}")
                               for name, verb in (("assignment", "view"), ("moderationreview", "change"),
                                                  ("topic", "view"), ("signaldismissal", "view"))])
    return {"content_types": {name: ct.pk for name, ct in content_types.items()}, "review": review.pk}


def test_a_database_of_the_old_layout_migrates_forward_and_restores(tenant_a, tmp_path, fresh_postgres):  # noqa: F811
    # given a database at the old layout, used: a row of every moved model, admin history, a group's grants
    before = _use_the_old_layout(_old_layout_apps(), tenant_a)
    # when it is migrated forward as a deploy would
    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()
    # then each content type was renamed in place (same id), and no row is left under the old app
    for name, old_app, new_app in MOVES:
        assert ContentType.objects.get(app_label=new_app, model=name).pk == before["content_types"][name]
        assert not ContentType.objects.filter(app_label=old_app, model=name).exists()
    # the rows are read through the models' new homes
    topic = Topic.objects.select_related("chapter__book").get(module_id="mold1")
    assert (topic.chapter.book, topic.chapter) == (Book.objects.get(slug="old-physics"), Chapter.objects.get())
    assert list(Assignment.objects.get().students.all()) == [tenant_a.student]
    assert LessonBlock.objects.get().topic == topic == PinnedLesson.objects.get().topic
    assert SignalDismissal.objects.get().student == tenant_a.student
    assert ModerationReview.objects.get().safety_event.student == tenant_a.student
    # admin history opens the objects, the group keeps its grants, the alert links to the new page
    edited = {type(entry.get_edited_object()) for entry in LogEntry.objects.all()}
    assert edited == {Topic, Assignment, PinnedLesson, SignalDismissal, ModerationReview}
    assert set(Group.objects.get(name="old-layout reviewers").permissions.values_list(
        "content_type__app_label", "codename")) == {("content", "view_assignment"), ("ingestion", "view_topic"),
                                                   ("content", "change_moderationreview"),
                                                   ("teaching", "view_signaldismissal")}
    alert = Notification.objects.get(kind="safety_alert")
    assert alert.url == f"/admin/content/moderationreview/{before['review']}/change/"
    # and the migrated database backs up and restores into a fresh cluster, every table equal
    backup = create_backup(destination=tmp_path / "backups", include_media=False)
    restore_backup(source=backup.path, target_url=fresh_postgres)
    assert verify_restore(source=backup.path, target_url=fresh_postgres) == {}


def test_old_admin_addresses_of_moved_models_lead_to_their_new_pages(tenant_a):
    client = Client()
    client.force_login(tenant_a.district_admin)
    old = client.get("/admin/accounts/moderationreview/7/change/?_changelist_filters=status")
    assert old.status_code == 308
    assert old["Location"] == "/admin/content/moderationreview/7/change/?_changelist_filters=status"
    assert client.post("/admin/schools/assignment/").status_code == 308  # a POST stays a POST
    assert client.get("/admin/schools/assignment/", follow=True).status_code == 200
