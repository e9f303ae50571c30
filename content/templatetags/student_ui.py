"""Small presentation helpers for student templates."""

from __future__ import annotations

from django import template

from content.selectors import student as student_selectors

register = template.Library()


@register.filter
def stage_steps(lesson_request):
    """The done/current/pending tracker steps for a lesson request."""
    return student_selectors.stage_steps(lesson_request)


@register.filter
def clock(seconds) -> str:
    """125.3 → '2:05'."""
    try:
        total = int(float(seconds or 0))
    except (TypeError, ValueError):
        return "0:00"
    return f"{total // 60}:{total % 60:02d}"


@register.filter
def percent_of(value, total) -> int:
    try:
        return min(100, round(100 * float(value) / float(total))) if float(total) else 0
    except (TypeError, ValueError):
        return 0
