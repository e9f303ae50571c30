"""Lessons, lesson requests, notifications, safety events, the cost ledger and budgets.

Lessons are generated from the textbook catalogue (`ingestion.Topic`).
"""

from django.conf import settings as _settings
from django.db import models
from django.db.models import F, Q

from schools.tenancy import TenantManager, TenantPolicy

# --- Personalized lessons (issue 7) ------------------------------------------------------------
# Lessons are built from global textbook passages plus an interest and a grade band (no personal
# data), so one Lesson is shared by every request with the same reuse key. Requests, notifications,
# safety events and the cost ledger are tenant-owned and scoped with `visible_to(user)`.


def _teacher_sees_student_rows(prefix: str, since: str):
    """Q for rows a student made while enrolled in a class the teacher teaches: not what they did
    before joining it (issue 15, finding 9). One filter() call, so both conditions use one enrolment."""
    return lambda user: Q(**{f"{prefix}enrollments__classroom__teachers": user,
                             f"{since}__gte": F(f"{prefix}enrollments__joined_at")})


class RequestStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    UNDERSTANDING = "understanding", "Understanding your question"
    NEEDS_CHOICE = "needs_choice", "Waiting for you to pick a topic"
    SCRIPTING = "scripting", "Writing the script"
    RENDERING = "rendering", "Drawing the visuals"
    NARRATING = "narrating", "Recording the narration"
    COMPOSING = "composing", "Putting the video together"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"


ACTIVE_REQUEST_STATUSES = (
    RequestStatus.QUEUED, RequestStatus.UNDERSTANDING, RequestStatus.SCRIPTING,
    RequestStatus.RENDERING, RequestStatus.NARRATING, RequestStatus.COMPOSING,
)
FINAL_REQUEST_STATUSES = (RequestStatus.READY, RequestStatus.FAILED, RequestStatus.REFUSED)


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
    regenerated_by = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
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


class LessonRequest(models.Model):
    """One student's ask, with its persisted state machine and the lesson it resolved to."""

    student = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="lesson_requests")
    question = models.TextField()
    topic = models.ForeignKey("ingestion.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              help_text="Picked by the student or resolved by retrieval")
    interest = models.ForeignKey("accounts.Interest", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    interest_name = models.CharField(max_length=60, blank=True)
    grade_level = models.PositiveSmallIntegerField(null=True, blank=True)
    grade_band = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.QUEUED)
    stage = models.CharField(max_length=16, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stage_log = models.JSONField(default=dict, blank=True)
    providers = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True, help_text="Plain-words status for the student")
    choices = models.JSONField(default=list, blank=True, help_text='[{"topic_id", "title", "book", "score"}]')
    module_ids = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=128, blank=True)
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="requests")
    was_reused = models.BooleanField(default=False)
    counts_against_quota = models.BooleanField(default=True)
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="student__district", school="student__school",
        teacher=_teacher_sees_student_rows("student__", "created_at"),
        student=lambda user: Q(student=user),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["student", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="unique_lesson_request_idempotency_key"),
        ]
        indexes = [models.Index(fields=["student", "created_at"]), models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"Request {self.pk} by {self.student_id}: {self.question[:40]}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_REQUEST_STATUSES


class Notification(models.Model):
    """An in-app notification (lesson ready, lesson failed, student safety alert, budget alert)."""

    class Kind(models.TextChoices):
        LESSON_READY = "lesson_ready", "Lesson ready"
        LESSON_FAILED = "lesson_failed", "Lesson failed"
        SAFETY_ALERT = "safety_alert", "Student safety alert"
        BUDGET_ALERT = "budget_alert", "Budget alert"

    user = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="notifications")
    #: the safety event a staff alert is about: erasing the student removes the alert with it.
    safety_event = models.ForeignKey("content.SafetyEvent", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="user__district", school="user__school",
        teacher=lambda user: Q(user=user), student=lambda user: Q(user=user),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # a lesson request announces its outcome once, however often a stage is re-run
            models.UniqueConstraint(fields=["user", "kind", "lesson_request"],
                                    condition=Q(lesson_request__isnull=False),
                                    name="one_notification_per_request_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class SafetyEvent(models.Model):
    class Category(models.TextChoices):
        SELF_HARM = "self_harm", "Self-harm"
        VIOLENCE = "violence", "Violence"
        SEXUAL = "sexual", "Sexual content"
        PERSONAL_DATA = "personal_data", "Personal data"
        INJECTION = "injection", "Prompt injection"
        OFF_TOPIC = "off_topic", "Off-topic"
        NON_ENGLISH = "non_english", "Not in English"

    student = models.ForeignKey(_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_events")
    lesson_request = models.ForeignKey(LessonRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="safety_events")
    category = models.CharField(max_length=20, choices=Category.choices)
    excerpt = models.CharField(max_length=200, blank=True, help_text="Redacted start of the question")
    teacher_notified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(
        district="student__district", school="student__school",
        teacher=_teacher_sees_student_rows("student__", "created_at"),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.category} by {self.student_id}"


class ProviderCall(models.Model):
    """Cost ledger: one row per provider call with its estimated cost (local providers cost 0)."""

    district = models.ForeignKey("schools.District", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="provider_calls")
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="provider_calls")
    capability = models.CharField(max_length=16, help_text="llm, image, tts")
    provider = models.CharField(max_length=40)
    succeeded = models.BooleanField(default=True)
    is_fallback = models.BooleanField(default=False)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    images = models.PositiveIntegerField(default=0)
    characters = models.PositiveIntegerField(default=0)
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    seconds = models.FloatField(default=0)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["district", "created_at"])]

    def __str__(self) -> str:
        return f"{self.capability}:{self.provider} ${self.estimated_cost}"


class DistrictBudget(models.Model):
    """A district's monthly generation budget; alerts at 50/75/90/100 % and an action at 100 %."""

    class Action(models.TextChoices):
        LOCAL = "local", "Switch to local providers"
        PAUSE = "pause", "Pause generation"

    district = models.OneToOneField("schools.District", on_delete=models.CASCADE, related_name="budget")
    monthly_budget = models.DecimalField(max_digits=10, decimal_places=2, default=100)
    action_at_limit = models.CharField(max_length=8, choices=Action.choices, default=Action.LOCAL)
    alerts_sent = models.JSONField(default=dict, blank=True, help_text='{"2026-11": [50, 75]}')
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()
    tenant_policy = TenantPolicy(district="district")

    def __str__(self) -> str:
        return f"{self.district}: ${self.monthly_budget}/month"


# --- Student progress (issue 8): defined in progress_models.py, imported here so Django always loads them.
from .progress_models import (  # noqa: E402, F401
    LessonProgress,
    ProblemReport,
    ProgressEvent,
    QuizAttempt,
    ReQuiz,
)
