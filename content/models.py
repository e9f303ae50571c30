"""Topic catalogue (Subject → Book → Chapter → Topic/section), filled by ingestion.

Topics are global reference data (the open textbooks), not tenant-owned.
"""

from django.db import models

from schools.models import Subject


class Book(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    subject = models.CharField(max_length=32, choices=Subject.choices)
    attribution = models.TextField(blank=True)
    license_url = models.URLField(blank=True)
    source_commit = models.CharField(max_length=64, blank=True)
    source_url = models.URLField(blank=True, help_text="Public book page (for citations)")

    class Meta:
        ordering = ["subject", "title"]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    unit_title = models.CharField(max_length=300, blank=True, help_text="Biology groups chapters in units")

    class Meta:
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
        ordering = ["chapter", "number"]

    def __str__(self) -> str:
        return f"{self.chapter.number}.{self.number} {self.title}"

    @property
    def subject(self) -> str:
        return self.chapter.book.subject
