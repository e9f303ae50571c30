"""The usage page for district and school admins (linked from the Django admin index)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import require_admin
from teaching import usage as usage_figures
from vividly import spreadsheets

WEEK_CHOICES = (4, 8, 12, 26)


def _weeks(request) -> int:
    try:
        weeks = int(request.GET.get("weeks", 8))
    except ValueError:
        return 8
    return weeks if weeks in WEEK_CHOICES else 8


@require_admin
def usage(request):
    """Adoption, activation, reuse, cost against budget and safety, with weekly trends."""
    weeks = _weeks(request)
    data = usage_figures.usage_for(request.user, weeks=weeks)
    trend_items = [(f"{w.week:%b %d}", w.watched, f"{w.watched} watched, {w.requests} requested")
                   for w in data.trend]
    school_items = [(r.name, r.lessons_per_active_student, f"{r.lessons_per_active_student:.1f}")
                    for r in data.schools]
    trend_bars = usage_figures.bars(trend_items)
    school_bars = usage_figures.bars(school_items)
    return render(request, "district/usage.html", {
        "u": data, "weeks": weeks, "week_choices": WEEK_CHOICES,
        "trend_bars": trend_bars, "trend_height": 26 * len(trend_bars) + 4,
        "school_bars": school_bars, "school_height": 26 * len(school_bars) + 4,
        "school_headers": usage_figures.SCHOOL_HEADERS, "school_rows": usage_figures.school_table(data),
        "trend_headers": usage_figures.TREND_HEADERS, "trend_rows": usage_figures.trend_table(data),
        "subject_headers": usage_figures.SUBJECT_HEADERS, "subject_rows": usage_figures.subject_table(data),
        "school_subject_headers": usage_figures.SCHOOL_SUBJECT_HEADERS,
        "school_subject_rows": usage_figures.school_subject_table(data),
    })


@require_admin
def usage_export(request):
    """CSV of one usage table (schools, trend, subjects, school_subjects), exactly as the page shows it."""
    weeks = _weeks(request)
    data = usage_figures.usage_for(request.user, weeks=weeks)
    table = request.GET.get("table", "schools")
    tables = {
        "schools": (usage_figures.SCHOOL_HEADERS, usage_figures.school_table),
        "trend": (usage_figures.TREND_HEADERS, usage_figures.trend_table),
        "subjects": (usage_figures.SUBJECT_HEADERS, usage_figures.subject_table),
        "school_subjects": (usage_figures.SCHOOL_SUBJECT_HEADERS, usage_figures.school_subject_table),
    }
    if table not in tables:
        raise Http404("Unknown table.")
    headers, build = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="usage-{table}-{weeks}w-'
                                       f'{timezone.localdate().isoformat()}.csv"')
    writer = spreadsheets.writer(response)
    writer.writerow(headers)
    writer.writerows(build(data))
    return response
