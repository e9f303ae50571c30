"""Celery: broker, results, queues, task modules and the one beat schedule of every periodic task."""

from .core import TIME_ZONE
from .data import REDIS_URL
from .environment import env

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = "django-db"
# Not extended: results keep status and return value only, never the task's arguments (e-mail tasks
# carry addresses and invitation/reset links, which must not sit in a table or a backup).
CELERY_RESULT_EXTENDED = False
CELERY_CACHE_BACKEND = "default"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="default")
CELERY_TASK_ALWAYS_EAGER = False
# Bulk ingestion fans out on its own queue; lesson stages pick LESSON_GENERATION_QUEUE themselves (content/tasks.py).
CELERY_TASK_ROUTES = {"ingestion.*": {"queue": "ingestion"}}

CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # lesson pipeline (issue 7): resume or fail jobs that stopped making progress
    "content-sweep-stuck-lessons": {"task": "content.sweep_stuck_lessons", "schedule": 60.0},
    # privacy (issue 5): retention schedule and erasure after the recovery window
    "privacy-purge-hourly": {"task": "accounts.privacy.purge_hourly", "schedule": 3600.0},
    "privacy-purge-daily": {"task": "accounts.privacy.purge_daily", "schedule": 24 * 3600.0},
    "privacy-erase-deleted-students": {"task": "accounts.privacy.erase_due_students", "schedule": 24 * 3600.0},
    # student experience (issue 8): re-quizzes come due a few days after the quiz
    "content-release-due-requizzes": {"task": "content.release_due_requizzes", "schedule": 3600.0},
}
