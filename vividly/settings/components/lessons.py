"""Lesson generation (issue 7), the student experience (issue 8) and feature flags (issue 3)."""

from pathlib import Path

from .environment import VAR_DIR, env

# Operator kill switch: off stops all new lesson generation whatever the `video_generation` flag says.
VIDEO_GENERATION_ENABLED = env.bool("VIDEO_GENERATION_ENABLED", default=True)
# waffle's `{% flag %}` tag and `waffle.flag_is_active` answer through flags.evaluation.
WAFFLE_FLAG_MODEL = "flags.Flag"
WAFFLE_CREATE_MISSING_FLAGS = False

LESSON_GENERATION_QUEUE = env.str("LESSON_GENERATION_QUEUE", default="generation")
LESSON_GENERATOR_VERSION = "local-writer-105"  # a sentence only saying two compared things differ is never said (issue 18)
LESSON_WORK_DIR = Path(env.str("LESSON_WORK_DIR", default=str(VAR_DIR / "lesson-work")))
LESSON_CONFIDENCE_THRESHOLD = env.float("LESSON_CONFIDENCE_THRESHOLD", default=0.45)
LESSON_OFF_TOPIC_THRESHOLD = env.float("LESSON_OFF_TOPIC_THRESHOLD", default=0.25)
LESSON_STUCK_AFTER_SECONDS = env.int("LESSON_STUCK_AFTER_SECONDS", default=300)
LESSON_MAX_RESUMES = env.int("LESSON_MAX_RESUMES", default=3)
# Scenes in flight at once per lesson job (phonemized, then queued for the voice's sentence pool);
# scene 1 is queued first, so its sentences get the whole pool and "Vivid Now" can play it early.
LESSON_NARRATION_WORKERS = env.int("LESSON_NARRATION_WORKERS", default=2)
# District budget alerts (percent of the monthly budget) before the action at 100 % applies.
BUDGET_ALERT_THRESHOLDS = (50, 75, 90, 100)
# Re-quiz a few days after the first quiz (retention check, scored apart); released hourly by beat.
VIVIDLY_REQUIZ_AFTER_DAYS = env.int("VIVIDLY_REQUIZ_AFTER_DAYS", default=3)
