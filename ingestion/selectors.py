"""Read side: the topic catalogue (Subject → Book → Chapter → Section) built from the collections."""

from __future__ import annotations

from django.db.models import Prefetch

from ingestion.models import Book, Chapter, Topic
from schools.models import Subject

from .models import PracticeItem


def catalogue(*, subject: str | None = None, include_intros: bool = True) -> list[dict]:
    """The browsable topic tree: [{subject, label, books: [{slug, title, chapters: [{..., sections}]}]}]."""
    topics = Topic.objects.filter(is_active=True).order_by("number")
    if not include_intros:
        topics = topics.exclude(number=0)
    books = Book.objects.prefetch_related(
        Prefetch("chapters", queryset=Chapter.objects.order_by("number").prefetch_related(
            Prefetch("topics", queryset=topics)))).order_by("subject", "title")
    if subject:
        books = books.filter(subject=subject)
    tree: dict[str, dict] = {}
    for book in books:
        node = tree.setdefault(book.subject, {"subject": book.subject, "label": Subject(book.subject).label,
                                              "books": []})
        node["books"].append({
            "slug": book.slug, "title": book.title, "attribution": book.attribution,
            "chapters": [{
                "number": chapter.number, "title": chapter.title, "unit_title": chapter.unit_title,
                "sections": [{
                    "topic_id": t.pk, "module_id": t.module_id, "number": f"{chapter.number}.{t.number}",
                    "title": t.title, "learning_objectives": t.learning_objectives, "key_terms": t.key_terms,
                } for t in chapter.topics.all()],
            } for chapter in book.chapters.all()],
        })
    return list(tree.values())


def topics_for(*, subject: str | None = None, book: str | None = None):
    """Active topics (sections), optionally for one subject or book, in book order."""
    qs = Topic.objects.filter(is_active=True).select_related("chapter__book")
    if subject:
        qs = qs.filter(chapter__book__subject=subject)
    if book:
        qs = qs.filter(chapter__book__slug=book)
    return qs.order_by("chapter__book__slug", "chapter__number", "number")


def practice_items_for(*, topic) -> list[PracticeItem]:
    """Exercises (with solutions) of one section, for quizzes."""
    return list(PracticeItem.objects.filter(topic=topic).order_by("pk"))
