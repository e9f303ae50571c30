"""Celery tasks of the student experience (registered through CELERY_IMPORTS)."""

from celery import shared_task

from content.student_progress import release_due_requizzes as release


@shared_task(name="content.release_due_requizzes", acks_late=True)
def release_due_requizzes() -> int:
    """Beat: release re-quizzes that have come due (they appear on the student dashboard)."""

    return release()
