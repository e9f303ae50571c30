"""The textbook catalogue (Book → Chapter → Topic), ingestion runs, parsed source documents, the
versioned chunk index and practice items.

The catalogue is global reference data (the open textbooks), not tenant-owned: ingestion creates
it, lessons are generated from it.

Vectors: one nullable column per embedding width (`embedding_384` for local MiniLM, `embedding_768`
for Vertex AI), each with its own HNSW (cosine) index. pgvector can only index a column with a fixed
dimension, so a dimension-agnostic `vector` column would lose HNSW; two typed columns keep it and
let one table hold both models while a re-embed is in flight. Every chunk belongs to an
`IndexVersion` that records the model; search only reads the *active* version of each book whose
model is the configured provider's, so a query never mixes models.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from pgvector.django import HnswIndex, VectorField

from schools.models import Subject

EMBEDDING_COLUMNS = {384: "embedding_384", 768: "embedding_768"}


class Book(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    subject = models.CharField(max_length=32, choices=Subject.choices)
    attribution = models.TextField(blank=True)
    license_url = models.URLField(blank=True)
    source_commit = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(blank=True, help_text="Public book page (for citations)")

    class Meta:
        db_table = "content_book"  # created by the content app (issue 16 moved the catalogue here)
        ordering = ["subject", "title"]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    unit_title = models.CharField(max_length=300, blank=True, help_text="Biology groups chapters in units")

    class Meta:
        db_table = "content_chapter"
        ordering = ["book", "number"]
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="unique_chapter_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Topic(models.Model):
    """One textbook section (an OpenStax module): the unit students request lessons about."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="topics")
    module_id = models.CharField(max_length=20, unique=True, help_text="OpenStax module id, e.g. m54057")
    number = models.PositiveSmallIntegerField(help_text="Section number within the chapter (0 = intro)")
    title = models.CharField(max_length=300)
    learning_objectives = models.JSONField(default=list, blank=True)
    key_terms = models.JSONField(default=list, blank=True, help_text="Bold terms of the section")
    glossary = models.JSONField(default=list, blank=True, help_text='[{"term", "meaning"}] from the module')
    summary = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "content_topic"
        ordering = ["chapter", "number"]

    def __str__(self) -> str:
        return f"{self.chapter.number}.{self.number} {self.title}"

    @property
    def subject(self) -> str:
        return self.chapter.book.subject


class IngestionRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Succeeded with errors"
        FAILED = "failed", "Failed"

    books = models.JSONField(default=list)
    source = models.CharField(max_length=500)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(max_length=16, blank=True, help_text="Current or last stage")
    counts = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per stage")
    errors = models.JSONField(default=list, blank=True, help_text='[{"stage", "book", "module", "error"}]')
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Ingestion #{self.pk} {','.join(self.books)} ({self.status})"


class SourceDocument(models.Model):
    """One parsed module; `content_hash` (sha256 of the file bytes) decides whether to re-parse."""

    class Status(models.TextChoices):
        OK = "ok", "Parsed"
        ERROR = "error", "Error"

    book_slug = models.CharField(max_length=80)
    module_id = models.CharField(max_length=20)
    content_hash = models.CharField(max_length=64)
    parser_version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.TextField(blank=True)
    parsed = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book_slug", "module_id"], name="unique_source_module")]

    def __str__(self) -> str:
        return f"{self.book_slug}/{self.module_id}"


class IndexVersion(models.Model):
    """A complete chunk set for one book and one embedding model; exactly one is active per book."""

    class Status(models.TextChoices):
        BUILDING = "building", "Building"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    book_slug = models.CharField(max_length=80)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of module hashes + chunker + model")
    embedding_model = models.CharField(max_length=200)
    dimensions = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BUILDING)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book_slug", "embedding_model"], condition=models.Q(status="active"),
                                    name="one_active_index_per_book_model"),
        ]

    def __str__(self) -> str:
        return f"{self.book_slug} v{self.pk} {self.embedding_model} ({self.status})"


class Chunk(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        OVERVIEW = "overview", "Section overview (title, objectives, key terms)"
        GLOSSARY = "glossary", "Glossary definitions"
        PRACTICE = "practice", "Review question (ranks its section; never returned as a passage)"

    version = models.ForeignKey(IndexVersion, on_delete=models.CASCADE, related_name="chunks")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="chunks")
    module_id = models.CharField(max_length=20)
    book_slug = models.CharField(max_length=80)
    subject = models.CharField(max_length=32)
    chapter_number = models.PositiveSmallIntegerField()
    section_number = models.PositiveSmallIntegerField()
    heading_path = models.JSONField(default=list)
    anchor = models.CharField(max_length=120, help_text="module_id#element_id")
    ordinal = models.PositiveIntegerField(help_text="Position within the module")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField()
    embed_text = models.TextField(help_text="What was embedded: heading path + text")
    text_hash = models.CharField(max_length=64)
    embedding_model = models.CharField(max_length=200)
    embedding_384 = VectorField(dimensions=384, null=True, blank=True)
    embedding_768 = VectorField(dimensions=768, null=True, blank=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "module_id", "ordinal"], name="unique_chunk_position")]
        indexes = [
            HnswIndex(name="chunk_emb384_hnsw", fields=["embedding_384"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
            HnswIndex(name="chunk_emb768_hnsw", fields=["embedding_768"], m=16, ef_construction=64,
                      opclasses=["vector_cosine_ops"]),
            GinIndex(name="chunk_search_gin", fields=["search_vector"]),
            models.Index(name="chunk_text_hash", fields=["text_hash", "embedding_model"]),
        ]

    def __str__(self) -> str:
        return self.anchor


class PracticeItem(models.Model):
    """An exercise with its solution, tied to its section; feeds quizzes."""

    class Kind(models.TextChoices):
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        OPEN = "open", "Open question"
        PROBLEM = "problem", "Problem"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="practice_items")
    module_id = models.CharField(max_length=20)
    element_id = models.CharField(max_length=120)
    section_class = models.CharField(max_length=80, blank=True, help_text="e.g. multiple-choice, exercises")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    problem = models.TextField()
    choices = models.JSONField(default=list, blank=True)
    solution = models.TextField(blank=True)
    answer = models.CharField(max_length=20, blank=True, help_text="Choice letter for multiple choice")
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["topic", "pk"]
        constraints = [models.UniqueConstraint(fields=["module_id", "element_id"], name="unique_practice_item")]

    def __str__(self) -> str:
        return f"{self.module_id}#{self.element_id}"


class LibraryBook(models.Model):
    """How far one textbook is in being prepared for search, as people see it while `make run`
    prepares the library in the background (`ingestion.library`). READY is set only after the
    book's index version is active and its search indexes are saved, so nothing half-loaded is
    ever shown as ready; `source_fingerprint` lets the next start skip an unchanged book."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        PREPARING = "preparing", "Preparing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    book_slug = models.CharField(max_length=80, unique=True)
    title = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=32, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Preparation order (Physics first)")
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    stage = models.CharField(max_length=16, blank=True, help_text="Current ingestion stage")
    percent = models.PositiveSmallIntegerField(default=0)
    source_fingerprint = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the book's files, parser, chunker and model when it was "
                                             "last prepared: equal at start-up means nothing to do")
    error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "book_slug"]

    def __str__(self) -> str:
        return f"{self.book_slug} ({self.state} {self.percent}%)"

    @property
    def label(self) -> str:
        """What people call the book: its subject ("Chemistry"), else its title."""
        return self.subject.capitalize() if self.subject else (self.title or self.book_slug)
