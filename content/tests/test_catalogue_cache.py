"""The shared catalogue is cached for everyone and refreshed by any catalogue write or ingest (issue 17)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.tests.factories import StudentFactory
from content import caching
from content.tests.student_fixtures import make_catalogue, make_interests
from ingestion.models import Chapter, IngestionRun, Topic

SESSION_AND_USER = 2  # what any signed-in page costs before its own data


@pytest.fixture
def student(tenant_a, client):
    make_interests(tenant_a.student)
    client.force_login(tenant_a.student)
    return tenant_a.student


@pytest.fixture
def topics(db):
    return make_catalogue()


@pytest.mark.parametrize("url", [reverse("student:catalogue"), reverse("student:catalogue-book", args=["physics"])])
def test_a_warm_catalogue_page_reads_no_catalogue_rows(client, student, topics, url, django_assert_max_num_queries):
    assert client.get(url).status_code == 200  # the first visitor fills the cache
    with django_assert_max_num_queries(SESSION_AND_USER):
        assert client.get(url).status_code == 200


def test_a_warm_chapter_page_reads_only_the_students_own_interests(client, student, topics,
                                                                   django_assert_max_num_queries):
    url = reverse("student:catalogue-chapter", args=["physics", 14])
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(SESSION_AND_USER + 1):
        page = client.get(url).content.decode()
    assert "with Basketball" in page  # the interest picker is this student's, never cached


def test_another_students_interests_are_not_served_from_the_cache(client, student, topics, tenant_a):

    url = reverse("student:catalogue-chapter", args=["physics", 14])
    assert "with Basketball" in client.get(url).content.decode()
    other = StudentFactory(school=tenant_a.school, email="other@student.school-a.edu")
    make_interests(other, names=("Cooking",))
    client.force_login(other)
    page = client.get(url).content.decode()
    assert "with Cooking" in page
    assert "with Basketball" not in page


def test_a_new_section_shows_at_once(client, student, topics, django_capture_on_commit_callbacks):
    chapter_url = reverse("student:catalogue-chapter", args=["physics", 14])
    assert "Friction on ice" not in client.get(chapter_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the test's transaction stands in for a commit
        Topic.objects.create(chapter=topics["newton1"].chapter, module_id="m9004", number=5, title="Friction on ice")
    assert "Friction on ice" in client.get(chapter_url).content.decode()


def test_a_renamed_chapter_shows_on_the_book_page(client, student, topics, django_capture_on_commit_callbacks):
    book_url = reverse("student:catalogue-book", args=["physics"])
    assert "Forces and Newton" in client.get(book_url).content.decode()
    Chapter.objects.filter(pk=topics["newton1"].chapter_id).update(title="Motion and its causes")
    # a bulk update sends no signal: the page stays cached until the run that did it finishes ...
    assert "Forces and Newton" in client.get(book_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        run = IngestionRun.objects.create(books=["physics"], source="test")  # starting a run changes nothing yet
    assert "Forces and Newton" in client.get(book_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        run.status = IngestionRun.Status.SUCCEEDED
        run.save()  # ... its final save does
    assert "Motion and its causes" in client.get(book_url).content.decode()


def test_a_write_inside_a_transaction_invalidates_only_after_commit(client, student, topics,
                                                                    django_capture_on_commit_callbacks):
    url = reverse("student:catalogue")
    client.get(url)


    before = cache.get(caching.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        topics["cells"].chapter.book.save()
    assert cache.get(caching.VERSION_KEY) == before  # not yet: the write is not committed
    for callback in callbacks:
        callback()
    assert cache.get(caching.VERSION_KEY) != before


def _biology_sections(page: str) -> int:
    return int(re.search(r">Biology 2e</a></h3>\s*<p[^>]*>(\d+) section", page).group(1))


def test_a_deactivated_section_leaves_the_counts(client, student, topics, django_capture_on_commit_callbacks):
    url = reverse("student:catalogue")
    before = _biology_sections(client.get(url).content.decode())  # the mini corpus may share the book
    topics["cells"].is_active = False
    topics["cells"].save()  # not committed yet: everyone else still sees the committed catalogue
    assert _biology_sections(client.get(url).content.decode()) == before
    with django_capture_on_commit_callbacks(execute=True):
        topics["cells"].save()
    assert _biology_sections(client.get(url).content.decode()) == before - 1
