"""Teacher pages under /teacher/: classes, roster, invitations, assignments, progress, oversight.

Thin views: every class and student is fetched through `schools.selectors` (scoped with
`visible_to`), so another teacher's class or a student outside the teacher's classes is a 404.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import require_teacher
from accounts.privacy.services import record_student_access  # privacy hook (issue 5): access audit
from content.models import Assignment, LessonBlock, PinnedLesson
from vividly import spreadsheets

from . import analytics, selectors, services
from .teacher_forms import AssignmentForm, ClassroomForm, CoTeacherForm, CsvUploadForm, InviteForm


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- classes -----------------------------------------------------------------------------------

@require_teacher
def dashboard(request):
    """Overview: the teacher's live classes with size and today's needs-help count."""
    classes = list(selectors.classes_for(request.user))
    events = selectors.safety_events_for_teacher(request.user)[:10]
    return render(request, "teacher/dashboard.html", {"classes": classes, "safety_events": events})


@require_teacher
def class_list(request):
    archived = request.GET.get("archived") == "1"
    return render(request, "teacher/class_list.html", {
        "classes": selectors.classes_for(request.user, archived=archived), "archived": archived})


@require_teacher
def class_create(request):
    form = ClassroomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        classroom = services.create_classroom(actor=request.user, **form.cleaned_data)
        messages.success(request, f"Class created. Students join with the code {classroom.join_code}.")
        return redirect("teacher:class", pk=classroom.pk)
    return render(request, "teacher/class_form.html", {"form": form})


@require_teacher
def class_detail(request, pk):
    classroom = selectors.get_class_for(request.user, pk)
    report = selectors.class_report(classroom)
    record_student_access(request, report.students, "progress")  # privacy hook (issue 5)
    students = {s.pk: s for s in report.students}
    return render(request, "teacher/class_detail.html", {
        "classroom": classroom, "report": report,
        # URL prefixes reversed once, not once per row
        "student_base": reverse("teacher:student", args=[classroom.pk, 0])[:-2],
        "lesson_base": reverse("teacher:lesson", args=[classroom.pk, 0])[:-2],
        "dismiss_url": reverse("teacher:dismiss_signal", args=[classroom.pk]),
        "teachers": selectors.teachers_of(classroom),
        "progress_headers": analytics.PROGRESS_HEADERS,
        "progress_rows": list(zip(report.progress, analytics.progress_table(report.progress,
                                                                           report.signals_by_student),
                                  strict=True)),
        "heat_legend": analytics.HEAT_LEGEND,
        "assignment_headers": analytics.ASSIGNMENT_HEADERS,
        "assignment_rows": list(zip(report.assignments, analytics.assignment_table(report.assignments),
                                    strict=True)),
        "invitations": list(selectors.pending_invitations(classroom)),
        "signals": [(signal, students[signal.student_id]) for signal in report.signals],
        "lessons": selectors.lessons_received(classroom)[:20],
        "safety_events": selectors.safety_events_for_class(classroom)[:20],
        "blocks": list(selectors.blocks_for_class(classroom)),
        "pins": list(selectors.pins_for_class(classroom)),
    })


@require_teacher
def class_export(request, pk):
    """CSV of a class-page table (progress, heatmap or assignments), exactly as shown."""
    classroom = selectors.get_class_for(request.user, pk)
    report = selectors.class_report(classroom)
    record_student_access(request, report.students, "export")  # privacy hook (issue 5)
    table = request.GET.get("table", "progress")
    if table == "progress":
        headers = analytics.PROGRESS_HEADERS
        rows = analytics.progress_table(report.progress, report.signals_by_student)
    elif table == "heatmap":
        headers, rows = analytics.heatmap_table(report.heatmap)
    elif table == "assignments":
        headers, rows = analytics.ASSIGNMENT_HEADERS, analytics.assignment_table(report.assignments)
    else:
        raise Http404("Unknown table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="class-{classroom.pk}-{table}-{stamp}.csv"'
    writer = spreadsheets.writer(response)
    writer.writerow(headers)
    writer.writerows(rows)
    return response


@require_teacher
def class_settings(request, pk):
    """Edit details, archive/restore, new join code, co-teachers."""
    classroom = selectors.get_class_for(request.user, pk)
    form = ClassroomForm(request.POST or None, instance=classroom, prefix="details")
    co_form = CoTeacherForm(prefix="co")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "details" and form.is_valid():
                services.update_classroom(actor=request.user, classroom=classroom, **form.cleaned_data)
                messages.success(request, "Class details saved.")
                return redirect("teacher:class", pk=classroom.pk)
            if action in ("archive", "restore"):
                services.set_archived(actor=request.user, classroom=classroom, archived=action == "archive")
                messages.success(request, "Class archived." if action == "archive" else "Class restored.")
                if action == "archive":
                    return redirect("teacher:classes")
                return redirect("teacher:class", pk=classroom.pk)
            if action == "join_code":
                code = services.regenerate_join_code(actor=request.user, classroom=classroom)
                messages.success(request, f"New join code: {code}. The old code no longer works.")
                return redirect("teacher:class_settings", pk=classroom.pk)
            if action == "add_teacher":
                co_form = CoTeacherForm(request.POST, prefix="co")
                if co_form.is_valid():
                    teacher = services.add_co_teacher(actor=request.user, classroom=classroom,
                                                      email=co_form.cleaned_data["email"])
                    messages.success(request, f"{teacher} now co-teaches this class.")
                    return redirect("teacher:class_settings", pk=classroom.pk)
            if action == "remove_teacher":
                teacher = next((t for t in selectors.teachers_of(classroom)
                                if str(t.pk) == request.POST.get("teacher")), None)
                if teacher is None:
                    raise Http404("No such teacher in this class.")
                services.remove_co_teacher(actor=request.user, classroom=classroom, teacher=teacher)
                messages.success(request, f"{teacher} no longer teaches this class.")
                if teacher.pk == request.user.pk:
                    return redirect("teacher:classes")
                return redirect("teacher:class_settings", pk=classroom.pk)
        except ValidationError as exc:
            if action == "add_teacher":
                co_form.add_error("email", _errors(exc))
            else:
                messages.error(request, _errors(exc))
    return render(request, "teacher/class_settings.html", {
        "classroom": classroom, "form": form, "co_form": co_form, "teachers": selectors.teachers_of(classroom)})


# --- roster ------------------------------------------------------------------------------------

@require_teacher
def invite(request, pk):
    """Invite by typed emails, or upload a CSV for a per-row preview."""
    classroom = selectors.get_class_for(request.user, pk)
    form = InviteForm(request.POST or None, prefix="emails")
    csv_form = CsvUploadForm(prefix="csv")
    if request.method == "POST" and request.POST.get("action") == "csv":
        csv_form = CsvUploadForm(request.POST, request.FILES, prefix="csv")
        if csv_form.is_valid():
            preview = services.preview_invite_csv(classroom=classroom, text=csv_form.cleaned_data["file"])
            return render(request, "teacher/invite_preview.html", {"classroom": classroom, "preview": preview})
        form = InviteForm(prefix="emails")
    elif request.method == "POST" and form.is_valid():
        rows = [services.InviteRow(email=e) for e in form.cleaned_data["emails"]]
        try:
            outcome = services.invite_students(actor=request.user, classroom=classroom, rows=rows, request=request)
        except ValidationError as exc:
            form.add_error("emails", exc.messages)
        else:
            _report_outcome(request, outcome)
            return redirect("teacher:class", pk=classroom.pk)
    return render(request, "teacher/invite.html", {"classroom": classroom, "form": form, "csv_form": csv_form})


def _report_outcome(request, outcome: services.InviteOutcome) -> None:
    parts = []
    if outcome.invited:
        parts.append(f"{len(outcome.invited)} invited by email")
    if outcome.already:
        parts.append(f"{len(outcome.already)} already in the class")
    messages.success(request, "; ".join(parts).capitalize() + ".")


@require_teacher
@require_POST
def invite_confirm(request, pk):
    """Create the invitations of a previewed CSV (re-validated; all or nothing)."""
    classroom = selectors.get_class_for(request.user, pk)
    try:
        rows = services.rows_from_token(request.POST.get("token", ""))
        outcome = services.invite_students(actor=request.user, classroom=classroom, rows=rows, request=request)
    except ValidationError as exc:
        messages.error(request, f"Nothing was created: {_errors(exc)}")
        return redirect("teacher:invite", pk=classroom.pk)
    _report_outcome(request, outcome)
    return redirect("teacher:class", pk=classroom.pk)


@require_teacher
@require_POST
def remove_student(request, pk, student_pk):
    classroom = selectors.get_class_for(request.user, pk)
    student = selectors.get_student_in_class(request.user, classroom, student_pk)
    services.remove_student(actor=request.user, classroom=classroom, student=student)
    messages.success(request, f"{student} was removed from {classroom.name}.")
    return redirect("teacher:class", pk=classroom.pk)


@require_teacher
@require_POST
def cancel_invitation(request, pk, invitation_pk):
    classroom = selectors.get_class_for(request.user, pk)
    services.cancel_invitation(actor=request.user, classroom=classroom, invitation_pk=invitation_pk)
    messages.success(request, "Invitation withdrawn.")
    return redirect("teacher:class", pk=classroom.pk)


# --- assignments -------------------------------------------------------------------------------

@require_teacher
def assignment_create(request, pk):
    classroom = selectors.get_class_for(request.user, pk)
    students = selectors.roster_queryset(classroom)
    form = AssignmentForm(request.POST or None, classroom=classroom, students=students)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_assignment(actor=request.user, classroom=classroom, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"“{form.cleaned_data['topic'].title}” assigned.")
            return redirect(reverse("teacher:class", args=[classroom.pk]) + "#assignments")
    return render(request, "teacher/assign.html", {"classroom": classroom, "form": form})


@require_teacher
@require_POST
def assignment_delete(request, pk, assignment_pk):
    classroom = selectors.get_class_for(request.user, pk)
    assignment = Assignment.objects.get_visible_or_404(
        request.user, pk=assignment_pk, classroom=classroom)
    services.delete_assignment(actor=request.user, assignment=assignment)
    messages.success(request, "Assignment withdrawn.")
    return redirect(reverse("teacher:class", args=[classroom.pk]) + "#assignments")


# --- signals -----------------------------------------------------------------------------------

@require_teacher
@require_POST
def dismiss_signal(request, pk):
    """Dismiss one needs-help signal; htmx swaps the card out, plain POST redirects back."""
    classroom = selectors.get_class_for(request.user, pk)
    student = selectors.get_student_in_class(request.user, classroom, request.POST.get("student", ""))
    try:
        services.dismiss_signal(actor=request.user, classroom=classroom, student=student,
                                kind=request.POST.get("kind", ""), fingerprint=request.POST.get("fingerprint", ""))
    except ValidationError as exc:
        return HttpResponse(_errors(exc), status=400, content_type="text/plain; charset=utf-8")
    if request.htmx:
        return render(request, "teacher/partials/signal_dismissed.html", {"student": student})
    messages.success(request, "Signal dismissed.")
    return redirect(reverse("teacher:class", args=[classroom.pk]) + "#signals")


# --- a student ---------------------------------------------------------------------------------

@require_teacher
def student_detail(request, pk, student_pk):
    classroom = selectors.get_class_for(request.user, pk)
    student = selectors.get_student_in_class(request.user, classroom, student_pk)
    detail = selectors.student_report(classroom, student)
    record_student_access(request, student, "profile")  # privacy hook (issue 5)
    return render(request, "teacher/student_detail.html", {"classroom": classroom, "student": student,
                                                           "detail": detail})


# --- lesson oversight --------------------------------------------------------------------------

@require_teacher
def lesson_detail(request, pk, lesson_pk):
    """The exact lesson a student of this class received: script, slides, narration, captions, quiz."""
    classroom = selectors.get_class_for(request.user, pk)
    oversight = selectors.lesson_for_class(classroom, lesson_pk)
    record_student_access(request, [r.student for r in oversight.receivers], "lessons")  # privacy hook (issue 5)
    return render(request, "teacher/lesson_detail.html", {
        "classroom": classroom, "o": oversight,
        "script_json": json.dumps(oversight.lesson.script, indent=2, ensure_ascii=False)})


@require_teacher
@require_POST
def lesson_action(request, pk, lesson_pk):
    """Pin the lesson for the class, unpin it, regenerate it, or block its topic–interest pairing."""
    classroom = selectors.get_class_for(request.user, pk)
    oversight = selectors.lesson_for_class(classroom, lesson_pk)
    action = request.POST.get("action")
    try:
        if action == "pin":
            services.pin_lesson(actor=request.user, classroom=classroom, lesson=oversight.lesson,
                                note=request.POST.get("note", ""))
            messages.success(request, "Pinned: students in this class now get this lesson for the topic.")
        elif action == "unpin" and oversight.pin is not None:
            services.unpin_lesson(actor=request.user, pin=oversight.pin)
            messages.success(request, "Unpinned.")
        elif action == "regenerate":
            from content.services import regenerate_lesson

            _fresh, created = regenerate_lesson(actor=request.user, lesson=oversight.lesson)
            messages.success(request, "A fresh version is being made; new requests for this topic will get it."
                             if created else "A fresh version of this lesson is already being made.")
        elif action == "block":
            interest = next((i for i in oversight.interests if str(i.pk) == request.POST.get("interest")), None)
            if interest is None:
                raise ValidationError("Choose the interest to block.")
            services.block_pairing(actor=request.user, classroom=classroom, topic=oversight.lesson.topic,
                                   interest=interest, reason=request.POST.get("reason", ""))
            messages.success(request, f"No new lessons on this topic will be framed around {interest.name} "
                                      "for this class.")
        else:
            raise ValidationError("Unknown action.")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("teacher:lesson", pk=classroom.pk, lesson_pk=oversight.lesson.pk)


@require_teacher
@require_POST
def unblock(request, pk, block_pk):
    classroom = selectors.get_class_for(request.user, pk)
    block = LessonBlock.objects.get_visible_or_404(request.user, pk=block_pk, classroom=classroom)
    services.unblock_pairing(actor=request.user, block=block)
    messages.success(request, "Block lifted.")
    return redirect(reverse("teacher:class", args=[classroom.pk]) + "#oversight")


@require_teacher
@require_POST
def unpin(request, pk, pin_pk):
    classroom = selectors.get_class_for(request.user, pk)
    pin = PinnedLesson.objects.get_visible_or_404(request.user, pk=pin_pk, classroom=classroom)
    services.unpin_lesson(actor=request.user, pin=pin)
    messages.success(request, "Unpinned.")
    return redirect(reverse("teacher:class", args=[classroom.pk]) + "#oversight")
