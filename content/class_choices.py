"""The one rule for a teacher's class choices (issue 9), used by both lesson paths (issue 16).

A lesson a student's live class pinned for a topic is served as is; a topic–interest pairing a
class blocked is never served: the reuse path does not reuse such a lesson, and the understand
stage frames the lesson with the student's next-ranked unblocked interest (or everyday life).
"""

from __future__ import annotations

from dataclasses import dataclass

from content.models import Lesson, LessonBlock, PinnedLesson


@dataclass(frozen=True)
class ClassChoices:
    """What the student's live classes decided for one topic."""

    pinned: Lesson | None
    blocked_interest_ids: frozenset[int]

    def blocks(self, interest) -> bool:
        """True when `interest` (a model instance or primary key) is blocked for this topic."""
        interest_pk = getattr(interest, "pk", interest)
        return interest_pk is not None and interest_pk in self.blocked_interest_ids


def for_student(*, student, topic) -> ClassChoices:
    """The choices of the student's live classes for `topic` (an instance or primary key).

    When two classes pin different lessons the most recent pin wins.
    """
    topic_pk = getattr(topic, "pk", topic)
    if topic_pk is None:
        return ClassChoices(pinned=None, blocked_interest_ids=frozenset())
    live = {"classroom__enrollments__student": student, "classroom__is_archived": False, "topic_id": topic_pk}
    pin = (PinnedLesson.objects.filter(**live, lesson__stage=Lesson.Stage.READY)
           .select_related("lesson").order_by("-pinned_at").first())
    blocked = frozenset(LessonBlock.objects.filter(**live).values_list("interest_id", flat=True))
    return ClassChoices(pinned=pin.lesson if pin else None, blocked_interest_ids=blocked)
