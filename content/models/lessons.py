"""Generated lessons (issue 7): script, scenes, quiz, media and quality record.

Lessons are built from global textbook passages plus an interest and a grade band (no personal
data), so one Lesson is shared by every request with the same reuse key; they hold no tenant and
are reached through the requests a user may see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

# A lesson's bulky columns (script, logs, texts, citations): pages that only need a lesson's card or
# length defer them, so they do not fetch and decode whole scripts (issue 17).
LESSON_BULK = ("script", "stage_log", "quality", "providers", "transcript", "citations", "error")


def lesson_bulk(through: str = "lesson", *, keep: tuple[str, ...] = ()) -> tuple[str, ...]:
    """LESSON_BULK as `defer()` names through a relation ("lesson__script", ...), less the ones in `keep`."""
    return tuple(f"{through}__{name}" for name in LESSON_BULK if name not in keep)


class Lesson(models.Model):
    """A generated lesson: script, media and quality record, shared by all requests with its reuse key."""

    class Stage(models.TextChoices):
        SCRIPTING = "scripting", "Scripting"
        RENDERING = "rendering", "Rendering"
        NARRATING = "narrating", "Narrating"
        COMPOSING = "composing", "Composing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    reuse_key = models.CharField(max_length=64, unique=True,
                                 help_text="sha256 of sections + interest + grade band + generator version")
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.PROTECT, related_name="lessons")
    module_ids = models.JSONField(default=list, help_text="Textbook sections the lesson draws on")
    interest = models.CharField(max_length=60)
    grade_band = models.CharField(max_length=8)
    generator_version = models.CharField(max_length=40)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SCRIPTING)
    stage_log = models.JSONField(default=dict, blank=True,
                                 help_text='{stage: {"started", "finished", "provider"}}')
    resume_count = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300, blank=True)
    script = models.JSONField(default=dict, blank=True)
    transcript = models.TextField(blank=True)
    citations = models.JSONField(default=list, blank=True)
    quality = models.JSONField(default=dict, blank=True)
    providers = models.JSONField(default=dict, blank=True, help_text="{stage: provider used}")
    narration_seconds = models.FloatField(default=0)
    video_path = models.CharField(max_length=300, blank=True)
    video_url = models.CharField(max_length=500, blank=True)
    captions_url = models.CharField(max_length=500, blank=True)
    poster_url = models.CharField(max_length=500, blank=True)
    transcript_url = models.CharField(max_length=500, blank=True)
    duration_seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    #: who pays for generating it when no student request does (a teacher's regeneration)
    paying_district = models.ForeignKey("schools.District", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    regenerated_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="regenerations")
    regenerated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["stage", "updated_at"])]
        constraints = [
            # at most one regeneration of a lesson in progress at a time
            models.UniqueConstraint(fields=["regenerated_from"], name="one_pending_regeneration",
                                    condition=Q(regenerated_from__isnull=False,
                                                stage__in=["scripting", "rendering", "narrating", "composing"])),
        ]

    def __str__(self) -> str:
        return self.title or f"Lesson {self.pk}"

    @property
    def is_ready(self) -> bool:
        return self.stage == self.Stage.READY


class LessonScene(models.Model):
    class Kind(models.TextChoices):
        HOOK = "hook", "Interest hook"
        EXPLANATION = "explanation", "Explanation"
        EXAMPLE = "example", "Worked example"
        RECAP = "recap", "Recap"
        CHECK = "check", "Check for understanding"

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="scenes")
    index = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=300)
    narration = models.TextField()
    sentences = models.JSONField(default=list, help_text='[{"text", "citation", "framing"}]')
    bullets = models.JSONField(default=list, blank=True)
    equation = models.CharField(max_length=300, blank=True)
    visual_description = models.TextField(blank=True)
    image_path = models.CharField(max_length=300, blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    image_provider = models.CharField(max_length=40, blank=True)
    audio_path = models.CharField(max_length=300, blank=True)
    audio_url = models.CharField(max_length=500, blank=True)
    audio_seconds = models.FloatField(default=0)
    audio_provider = models.CharField(max_length=40, blank=True)
    audio_timings = models.JSONField(default=dict, blank=True,
                                     help_text='{"voice": "piper:en_US-joe-medium", "sentences": [[start, end], ...]}')

    class Meta:
        ordering = ["lesson", "index"]
        constraints = [models.UniqueConstraint(fields=["lesson", "index"], name="unique_scene_index")]

    def __str__(self) -> str:
        return f"{self.lesson_id}#{self.index} {self.title}"


class QuizQuestion(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_questions")
    index = models.PositiveSmallIntegerField()
    prompt = models.TextField()
    choices = models.JSONField(default=list)
    answer = models.TextField(help_text="The correct choice's text")
    explanation = models.TextField()
    citation = models.CharField(max_length=40, blank=True)
    practice_item = models.ForeignKey("ingestion.PracticeItem", on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")

    class Meta:
        ordering = ["lesson", "index"]
        constraints = [models.UniqueConstraint(fields=["lesson", "index"], name="unique_quiz_index")]

    def __str__(self) -> str:
        return self.prompt[:60]
