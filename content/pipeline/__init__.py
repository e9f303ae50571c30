"""Lesson pipeline stages, one Celery task each (see content/tasks.py).

Requests go queued → understanding → [needs_choice] → (attached to a shared Lesson) → scripting →
narrating → rendering → composing → ready | failed | refused. Narration comes before the slides so
"Vivid Now" can play the first scene as early as possible (issue 18). The Lesson carries the job state;
every attached request mirrors it. Each stage is idempotent: it re-checks the lesson's stage under
a row lock before writing, and per-scene checkpoints let a resumed stage skip finished work.
"""

from __future__ import annotations

from content.models import Lesson, RequestStatus

LESSON_STAGES = (Lesson.Stage.SCRIPTING, Lesson.Stage.NARRATING, Lesson.Stage.RENDERING,
                 Lesson.Stage.COMPOSING)
NEXT_STAGE = {
    Lesson.Stage.SCRIPTING: Lesson.Stage.NARRATING,
    Lesson.Stage.NARRATING: Lesson.Stage.RENDERING,
    Lesson.Stage.RENDERING: Lesson.Stage.COMPOSING,
    Lesson.Stage.COMPOSING: Lesson.Stage.READY,
}
PROGRESS = {
    RequestStatus.QUEUED: 0, RequestStatus.UNDERSTANDING: 10, RequestStatus.NEEDS_CHOICE: 15,
    RequestStatus.SCRIPTING: 25, RequestStatus.NARRATING: 35, RequestStatus.RENDERING: 72,
    RequestStatus.COMPOSING: 80, RequestStatus.READY: 100, RequestStatus.FAILED: 100,
    RequestStatus.REFUSED: 100,
}
