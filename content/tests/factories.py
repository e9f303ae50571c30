"""Catalogue rows for tests that do not need the ingested mini corpus."""

from __future__ import annotations

import factory

from ingestion.models import Book, Chapter, Topic


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"test-book-{n}")
    title = factory.Sequence(lambda n: f"Test Book {n}")
    subject = "physics"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    book = factory.SubFactory(BookFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Chapter {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    chapter = factory.SubFactory(ChapterFactory)
    module_id = factory.Sequence(lambda n: f"m99{n:03d}")
    number = 1
    title = factory.Sequence(lambda n: f"Unindexed topic {n}")
