"""The library prepared in the background (issue 17): per-book progress, Physics first, the banner,
the friendly answer for a book not ready yet, failures that can be retried, and a second start that
prepares nothing."""

from __future__ import annotations

import shutil
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import UserFactory
from content.models import LessonRequest
from content.tests.student_fixtures import make_interests
from ingestion import library, pipeline
from ingestion.library_status import library_status, not_ready_answer
from ingestion.models import IndexVersion, IngestionRun, LibraryBook
from ingestion.tasks import prepare_library_task
from tests.support.corpus import MINI_CORPUS_DIR
from tests.support.processes import purge, waiting_messages
from vividly.celery import app

SLUGS = ["physics", "chemistry-2e", "biology-2e"]
CHEMISTRY_QUESTION = "How does a buffer keep the pH of a solution steady when acid is added?"
PHYSICS_QUESTION = "How does a net force change the acceleration of a cart with more mass?"


def _set_states(**states) -> None:
    """physics="ready", chemistry_2e=("preparing", 40)…: library rows as a test needs them."""
    for position, slug in enumerate(SLUGS):
        value = states.get(slug.replace("-", "_"), "ready")
        state, percent = value if isinstance(value, tuple) else (value, 100 if value == "ready" else 0)
        LibraryBook.objects.update_or_create(book_slug=slug, defaults={
            "subject": slug.split("-")[0], "position": position, "state": state, "percent": percent})
    library.forget()


def _not_searchable(slug: str) -> None:
    IndexVersion.objects.filter(book_slug=slug).update(status=IndexVersion.Status.RETIRED)


@pytest.fixture
def corpus_copy(tmp_path):
    root = tmp_path / "openstax"
    shutil.copytree(MINI_CORPUS_DIR, root)
    return root


@pytest.fixture
def superuser(db, tenant_a):
    return UserFactory(is_superuser=True, is_staff=True, role="district_admin", school=None,
                       district=tenant_a.district)


# --- background preparation with a real worker ------------------------------------------------------

def test_worker_prepares_physics_first_and_reports_each_book(celery_worker_process):
    IndexVersion.objects.filter(book_slug__in=SLUGS).delete()  # as on a fresh machine: nothing searchable
    LibraryBook.objects.all().delete()
    runs_before = set(IngestionRun.objects.values_list("pk", flat=True))

    library.start(source=str(MINI_CORPUS_DIR))  # what `make run` does (autocommit: enqueued at once)
    assert [b.state for b in LibraryBook.objects.all()] == ["waiting"] * 3
    assert library_status().summary == ("Preparing the library: Physics waiting, Chemistry waiting, "
                                        "Biology waiting")

    seen: set[tuple[str, str]] = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        rows = list(LibraryBook.objects.all())
        seen |= {(b.book_slug, b.state) for b in rows}
        if all(b.state in ("ready", "failed") for b in rows):
            break
        time.sleep(0.2)
    books = {b.book_slug: b for b in LibraryBook.objects.all()}
    assert {slug: b.state for slug, b in books.items()} == dict.fromkeys(SLUGS, "ready"), \
        [(b.book_slug, b.error) for b in books.values()]
    assert all(b.percent == 100 and b.source_fingerprint for b in books.values())
    assert books["physics"].ready_at < books["chemistry-2e"].ready_at < books["biology-2e"].ready_at
    assert ("physics", "waiting") in seen
    for slug in SLUGS:  # searchable: the active version the pipeline built
        assert IndexVersion.objects.filter(book_slug=slug, status="active").exists()
    runs = IngestionRun.objects.exclude(pk__in=runs_before)
    assert sorted(r.books[0] for r in runs) == sorted(SLUGS)
    assert {r.status for r in runs} <= {"succeeded", "partial"}  # physics has one malformed module on purpose
    assert library_status().summary == ""  # everything ready: no banner


# --- progress, restarts and failures (in-process, real pipeline) -----------------------------------

def test_progress_is_persisted_by_the_pipeline_stages(mini_corpus):
    _set_states(physics=("preparing", 0))
    pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), force=True)
    row = LibraryBook.objects.get(book_slug="physics")
    # the stages moved it through chunk/embed/load to the switch, but only `library` may say "ready"
    assert (row.state, row.stage) == ("preparing", "index")
    assert 90 <= row.percent < 100
    assert library_status().summary == "Preparing the library: Physics 94%, Chemistry ready, Biology ready"


def test_a_second_start_prepares_nothing(mini_corpus, corpus_copy, django_capture_on_commit_callbacks):
    LibraryBook.objects.all().delete()
    assert [r.book_slug for r in library.plan(source=str(corpus_copy))] == SLUGS
    library.prepare(source=str(corpus_copy))
    assert set(LibraryBook.objects.values_list("state", flat=True)) == {"ready"}
    runs = IngestionRun.objects.count()

    purge(("ingestion",))
    with django_capture_on_commit_callbacks(execute=True):
        assert library.start(source=str(corpus_copy)) == []  # unchanged corpus: nothing queued
    assert waiting_messages(("ingestion",)) == []
    assert IngestionRun.objects.count() == runs
    assert set(LibraryBook.objects.values_list("state", flat=True)) == {"ready"}

    # one changed module: only its book is prepared again
    module = corpus_copy / "chemistry-2e" / "modules" / "m91102" / "index.cnxml"
    module.write_text(module.read_text().replace("Buffers", "Buffer Solutions", 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert [r.book_slug for r in library.start(source=str(corpus_copy))] == ["chemistry-2e"]
    assert waiting_messages(("ingestion",)) == ["ingestion: 1 waiting"]
    purge(("ingestion",))


def test_a_failed_book_is_visible_and_can_be_retried(mini_corpus, corpus_copy, client, superuser):
    LibraryBook.objects.all().delete()
    IndexVersion.objects.filter(book_slug="physics").delete()
    collection = next((corpus_copy / "physics" / "collections").glob("*.xml"))
    good = collection.read_bytes()
    collection.write_bytes(good[: len(good) // 2])  # truncated XML: the process stage fails
    library.plan(source=str(corpus_copy))
    library.prepare(source=str(corpus_copy))

    physics = LibraryBook.objects.get(book_slug="physics")
    assert physics.state == "failed"
    assert physics.error
    assert not IndexVersion.objects.filter(book_slug="physics", status="active").exists()  # nothing half-served
    assert LibraryBook.objects.get(book_slug="chemistry-2e").state == "ready"  # the others went on
    assert IngestionRun.objects.filter(books=["physics"]).order_by("-pk").first().status == "failed"
    assert "Physics paused by a problem" in library_status().summary
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Physics paused by a problem" in html
    assert "Failed" in html

    collection.write_bytes(good)  # fixed; an administrator retries from the admin
    response = client.post(reverse("admin:ingestion_librarybook_changelist"),
                           {"action": "retry_preparing", "_selected_action": [physics.pk]})
    assert response.status_code == 302
    assert LibraryBook.objects.get(book_slug="physics").state == "waiting"
    library.prepare(source=str(corpus_copy))
    assert LibraryBook.objects.get(book_slug="physics").state == "ready"
    assert IndexVersion.objects.filter(book_slug="physics", status="active").exists()


# --- what people see ------------------------------------------------------------------------------

def test_a_question_about_a_book_not_ready_gets_a_friendly_answer(mini_corpus, tenant_a, client):
    student = tenant_a.student
    make_interests(student)
    client.force_login(student)
    _set_states(chemistry_2e=("preparing", 40), biology_2e="waiting")
    _not_searchable("chemistry-2e")
    _not_searchable("biology-2e")

    response = client.post(reverse("student:ask"), {"question": CHEMISTRY_QUESTION})
    html = response.content.decode()
    assert response.status_code == 200
    assert "still adding the Chemistry textbook" in html
    assert "40% done" in html
    assert "You can already ask about Physics." in html
    assert not LessonRequest.objects.filter(student=student).exists()

    # a physics question goes through as usual
    response = client.post(reverse("student:ask"), {"question": PHYSICS_QUESTION})
    assert response.status_code == 302
    assert LessonRequest.objects.filter(student=student, question=PHYSICS_QUESTION).exists()


def test_the_api_gives_the_same_answer(mini_corpus, tenant_a, api_client_for):
    student = tenant_a.student
    make_interests(student)
    _set_states(chemistry_2e=("preparing", 40), biology_2e="waiting")
    _not_searchable("chemistry-2e")
    api = api_client_for(student)
    response = api.post(reverse("lesson-request-list"), {"question": CHEMISTRY_QUESTION}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "library_preparing"
    assert "Chemistry" in response.json()["detail"]
    assert response["Retry-After"] == "120"
    assert not LessonRequest.objects.filter(student=student).exists()
    response = api.post(reverse("lesson-request-list"), {"question": PHYSICS_QUESTION}, format="json")
    assert response.status_code == 202


def test_the_friendly_answer_only_while_the_book_is_not_searchable(mini_corpus):
    _set_states(chemistry_2e=("preparing", 40))
    # chemistry is being prepared again, but its previous version still answers searches
    assert not_ready_answer(CHEMISTRY_QUESTION) == ""
    _not_searchable("chemistry-2e")
    assert "Chemistry" in not_ready_answer(CHEMISTRY_QUESTION)
    assert not_ready_answer(PHYSICS_QUESTION) == ""
    _set_states()  # all ready
    assert not_ready_answer(CHEMISTRY_QUESTION) == ""


def test_before_any_book_is_searchable_every_question_is_asked_to_wait(mini_corpus):
    _set_states(physics=("preparing", 15), chemistry_2e="waiting", biology_2e="waiting")
    for slug in SLUGS:
        _not_searchable(slug)
    answer = not_ready_answer("Could you tell me something interesting, please?")  # names no book
    assert answer.startswith("We're still adding some textbooks to the library (Physics 15%, Chemistry waiting, "
                             "Biology waiting).")
    assert "already ask" not in answer
    assert "Physics question" in not_ready_answer(PHYSICS_QUESTION)


def test_banner_and_poll_for_students_and_admins(mini_corpus, tenant_a, client, superuser):
    student = tenant_a.student
    make_interests(student)
    _set_states(chemistry_2e=("preparing", 40), biology_2e="waiting")
    summary = "Preparing the library: Physics ready, Chemistry 40%, Biology waiting"

    assert client.get(reverse("library-status")).status_code == 302  # signed-in people only
    client.force_login(student)
    for url in (reverse("student:catalogue"), reverse("student:dashboard"), reverse("library-status")):
        html = client.get(url).content.decode()
        assert summary in html, url
        assert f'hx-get="{reverse("library-status")}"' in html
        assert 'value="40"' in html  # Chemistry's progress bar

    client.force_login(superuser)
    assert summary in client.get(reverse("admin:index")).content.decode()
    assert "Preparing" in client.get(reverse("admin:ingestion_librarybook_changelist")).content.decode()

    _set_states()  # every book ready: the poll says so once and stops; pages show no banner
    client.force_login(student)
    poll = client.get(reverse("library-status")).content.decode()
    assert "The library is ready" in poll
    assert "hx-get" not in poll
    assert "Preparing the library" not in client.get(reverse("student:catalogue")).content.decode()


def test_the_library_task_is_routed_to_the_ingestion_queue():

    assert app.amqp.router.route({}, prepare_library_task.name)["queue"].name == "ingestion"


@pytest.mark.django_db
def test_a_missing_corpus_says_how_to_point_at_one(tmp_path):
    out = StringIO()
    call_command("prepare_library", source=str(tmp_path / "nowhere"), stdout=out)
    assert "source directory not found" in out.getvalue()
    assert "OER_SOURCE_DIR" in out.getvalue()
    assert not LibraryBook.objects.exists()
