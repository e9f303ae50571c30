"""Student pages (server-rendered, htmx for the live parts). Thin: forms validate, services write,
selectors read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Interest
from accounts.permissions import require_student
from accounts.services import pending_class_invitations
from content import caching
from content.forms import AskForm, JoinClassForm, OnboardingForm, ProblemReportForm
from content.models import RequestStatus
from content.selectors import student as selectors
from content.services import progress
from content.services import requests as lesson_requests
from content.services import student as services
from content.services.requests import LessonRequestError
from flags.evaluation import flag_is_active
from ingestion.library_status import not_ready_answer
from vividly.redirects import safe_next_redirect

# --- onboarding ----------------------------------------------------------------------------------

@require_student
def onboarding(request):
    """Rank 2–5 interests and confirm the grade; join a class on the same page."""
    student = request.user
    current = list(student.student_interests.order_by("rank").values_list("interest_id", flat=True))
    if request.method == "POST":
        form = OnboardingForm(request.POST, initial_interests=current)
        if form.is_valid():
            try:
                services.save_interests(student=student, interests=form.cleaned_data["interests"],
                                        grade_level=form.cleaned_data["grade_level"])
            except services.GradeChangeRefused as error:
                form.add_error("grade_level", str(error))
            else:
                messages.success(request, "Saved! Your lessons will use what you love.")
                return redirect("student:dashboard")
    else:
        form = OnboardingForm(initial={"grade_level": student.grade_level}, initial_interests=current)
    classes = student.enrollments.select_related("classroom__school").order_by("classroom__name")
    return render(request, "student/onboarding.html", {
        "form": form, "join_form": JoinClassForm(), "enrollments": classes, "is_first_time": not current,
        "class_invitations": pending_class_invitations(student),  # joined only with the student's say
    }, status=400 if form.errors else 200)


@require_student
@require_POST
def join_class(request):
    """Join a class with its code (case-insensitive, dashes optional)."""
    form = JoinClassForm(request.POST)
    if form.is_valid():
        try:
            classroom = services.join_class(student=request.user, code=form.cleaned_data["code"])
        except services.JoinClassError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, f"You joined {classroom.name}.")
            return safe_next_redirect(request, request.POST.get("next"), "student:onboarding")
    current = list(request.user.student_interests.order_by("rank").values_list("interest_id", flat=True))
    enrollments = request.user.enrollments.select_related("classroom__school").order_by("classroom__name")
    return render(request, "student/onboarding.html", {
        "form": OnboardingForm(initial={"grade_level": request.user.grade_level}, initial_interests=current),
        "join_form": form, "enrollments": enrollments, "is_first_time": not current,
    }, status=400)


# --- dashboard and asking ------------------------------------------------------------------------

@require_student
def dashboard(request):
    """Ask Vividly, lessons being made, continue watching, my lessons, assignments, progress."""
    student = request.user
    board = selectors.dashboard_for(student)
    if not board.interests:  # the board reads them anyway: no separate exists() query
        return redirect("student:onboarding")
    return render(request, "student/dashboard.html", {
        "board": board, "ask_form": AskForm(student=student, interests=[si.interest for si in board.interests]),
        "gamification": flag_is_active("gamification", student),
    })


@require_student
@require_POST
def ask(request):
    """Create a lesson request from the question box (or a catalogue section)."""
    student = request.user
    form = AskForm(request.POST, student=student)
    if not form.is_valid():
        return _ask_invalid(request, form)
    notice = "" if form.cleaned_data.get("topic") else not_ready_answer(form.cleaned_data["question"])
    if notice:  # the book this question needs is still being prepared: say so kindly, make nothing
        return _ask_invalid(request, form, notice=notice, status=200)
    try:
        new = services.ask_vividly(student=student, question=form.cleaned_data["question"],
                                   interest=form.cleaned_data.get("interest"), topic_id=form.cleaned_data.get("topic"),
                                   interest_text=form.cleaned_data.get("own_interest", ""))
    except LessonRequestError as error:
        form.add_error("question", str(error))
        return _ask_invalid(request, form)
    if new.status == RequestStatus.READY:  # reused: an identical lesson already existed
        messages.success(request, "We already had a lesson for that — here it is!")
        target = reverse("student:lesson", args=[new.pk])
    else:
        messages.success(request, "On it! Watch your lesson being made below.")
        # the query string makes it a real navigation even when already on the dashboard
        target = reverse("student:dashboard") + f"?asked={new.pk}#making"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _ask_invalid(request, form, *, notice: str = "", status: int = 400):
    """The Ask form again with inline errors or a notice (just the form for htmx, else the whole dashboard)."""
    if request.htmx:
        # htmx swaps 4xx responses only when told to; the form re-renders in place with its errors.
        response = render(request, "student/partials/ask_form.html", {"ask_form": form, "library_notice": notice})
        response["HX-Retarget"] = "#ask-form"
        return response
    board = selectors.dashboard_for(request.user)
    return render(request, "student/dashboard.html", {
        "board": board, "ask_form": form, "library_notice": notice,
        "gamification": flag_is_active("gamification", request.user)}, status=status)


@require_student
@require_GET
def suggest(request):
    """htmx: catalogue sections matching what is being typed."""
    topics = selectors.suggest_topics(request.GET.get("question", ""))
    return render(request, "student/partials/suggestions.html", {"topics": topics})


@require_student
@require_GET
def live_status(request):
    """htmx: the "being made" panel; keeps polling while anything is in progress."""
    board = selectors.dashboard_for_live(request.user)
    return render(request, "student/partials/live.html", {"board": board})


@require_student
@require_POST
def choose_topic(request, pk: int):
    """Pick one of the three suggested sections for a request that needs a choice."""
    lesson_request = selectors.get_request_for(request.user, pk)
    try:
        topic_id = int(request.POST.get("topic_id", ""))
    except ValueError:
        topic_id = 0
    try:
        lesson_requests.choose_topic(student=request.user, lesson_request=lesson_request, topic_id=topic_id)
    except LessonRequestError:
        messages.error(request, "Please pick one of the three topics shown.")
    else:
        if request.htmx:
            return live_status(request)
    return redirect(reverse("student:dashboard") + "#making")


@require_student
@require_POST
def retry(request, pk: int):
    """Ask again after a failed lesson (a fresh request with the same question and topic)."""
    lesson_request = selectors.get_request_for(request.user, pk)
    if lesson_request.status != RequestStatus.FAILED:
        raise Http404("Only failed lessons can be retried")
    try:
        services.retry_request(student=request.user, lesson_request=lesson_request)
    except LessonRequestError as error:
        messages.error(request, str(error))
        return redirect("student:lesson", pk=pk)
    messages.success(request, "Trying again — we'll show you each step.")
    return redirect(reverse("student:dashboard") + "#making")


@require_student
def lessons(request):
    """All my lessons."""
    return render(request, "student/lessons.html", {"lessons": selectors.received_lessons(request.user)})


# --- catalogue -----------------------------------------------------------------------------------

@require_student
def catalogue(request):
    return render(request, "student/catalogue.html", {"subjects": caching.catalogue_subjects()})


@require_student
def catalogue_book(request, slug: str):
    return render(request, "student/catalogue_book.html", {"book": caching.book_with_chapters(slug)})


@require_student
def catalogue_chapter(request, slug: str, number: int):
    chapter = caching.chapter_with_sections(slug, number)
    interests = request.user.interests.all()
    return render(request, "student/catalogue_chapter.html", {"chapter": chapter, "interests": interests})


@require_student
@require_POST
def request_section(request, topic_id: int):
    """Request a lesson about one catalogue section."""
    topic = selectors.get_topic(topic_id)
    interest = Interest.objects.filter(pk=request.POST.get("interest") or 0, students=request.user).first()
    try:
        new = services.ask_vividly(student=request.user, question=f"Teach me about {topic.title}",
                                   interest=interest, topic_id=topic.pk)
    except LessonRequestError as error:
        messages.error(request, str(error))
        return redirect("student:catalogue-chapter", slug=topic.chapter.book.slug, number=topic.chapter.number)
    if new.status == RequestStatus.READY:
        messages.success(request, f"A lesson on “{topic.title}” was ready for you.")
        return redirect("student:lesson", pk=new.pk)
    messages.success(request, f"Making a lesson on “{topic.title}”.")
    return redirect(reverse("student:dashboard") + "#making")


# --- lesson page ---------------------------------------------------------------------------------

@require_student
def lesson(request, pk: int):
    """The lesson: player when ready, Vivid Now while it is being made, a kind page when it failed."""
    student = request.user
    lesson_request = selectors.get_request_or_reused(student, pk)
    if lesson_request.pk != pk:
        return redirect("student:lesson", pk=lesson_request.pk)
    context = {"req": lesson_request, "lesson": lesson_request.lesson}
    if request.htmx:
        # Vivid Now / pending pages poll: reload the page once there is something new to show.
        lesson_obj = lesson_request.lesson
        changed = lesson_request.is_final or (lesson_obj is not None and lesson_obj.is_ready)
        if request.GET.get("had_audio") == "False" and lesson_obj is not None:
            # the first scene's narration just arrived: show it (later scenes wait, so playback is never cut)
            changed = changed or lesson_obj.scenes.filter(index=1).exclude(audio_url="").exists()
        response = HttpResponse(status=204)
        if changed or request.GET.get("had_lesson") != str(bool(lesson_obj)):
            response["HX-Refresh"] = "true"
        return response
    if lesson_request.status in (RequestStatus.FAILED, RequestStatus.REFUSED):
        return render(request, "student/lesson_failed.html", context)
    lesson_obj = lesson_request.lesson
    if lesson_obj is None:
        return render(request, "student/lesson_pending.html", context)
    page = selectors.lesson_page(student, lesson_request)
    context.update(page)
    if not lesson_obj.is_ready:
        return render(request, "student/lesson_now.html", context)
    if not _video_available(lesson_obj):
        return render(request, "student/lesson_missing.html", context, status=200)
    context.update(gamification=flag_is_active("gamification", student),
                   quizzes_enabled=flag_is_active("quizzes", student),
                   captions_default=True, report_form=ProblemReportForm(),
                   catalogue_version=caching.catalogue_version(), fragment_seconds=settings.LESSON_FRAGMENT_SECONDS)
    return render(request, "student/lesson.html", context)


def _video_available(lesson_obj) -> bool:
    if not lesson_obj.video_url:
        return False
    if lesson_obj.video_path:
        try:
            return default_storage.exists(lesson_obj.video_path)
        except (OSError, ValueError, NotImplementedError):
            return False
    return True


@require_student
@require_POST
def answer_question(request, pk: int, question_pk: int):
    """htmx: record one quiz answer and show instant feedback with the explanation."""
    lesson_request = selectors.get_request_for(request.user, pk)
    question = selectors.get_question(lesson_request, question_pk)
    kind = request.POST.get("kind", "immediate")
    attempt, error = progress.answer_question(student=request.user, lesson_request=lesson_request,
                                              question=question, chosen=request.POST.get("choice", ""),
                                              kind=kind)
    question.attempt = attempt
    context = {"req": lesson_request, "q": question, "error": error, "kind": kind}
    return render(request, "student/partials/quiz_question.html", context, status=400 if error else 200)


@require_student
@require_POST
def after_lesson(request, pk: int, action: str):
    """Mark complete, make it simpler, try another interest or another offered section (the last three
    lead to a new or reused lesson)."""
    lesson_request = selectors.get_request_for(request.user, pk)
    if lesson_request.lesson_id is None:
        raise Http404("No lesson yet")
    if action == "complete":
        progress.mark_complete(student=request.user, lesson_request=lesson_request)
        messages.success(request, "Marked complete. Nice work!")
        return redirect("student:lesson", pk=pk)
    try:
        if action == "simpler":
            new = services.make_simpler(student=request.user, lesson_request=lesson_request)
        elif action == "another-interest":
            interest = Interest.objects.filter(pk=request.POST.get("interest") or 0, students=request.user).first()
            if interest is None:
                messages.error(request, "Pick one of your interests to try.")
                return redirect("student:lesson", pk=pk)
            new = services.try_another_interest(student=request.user, lesson_request=lesson_request,
                                                interest=interest)
        elif action == "other-section":
            topic_id = request.POST.get("topic_id", "")
            new = services.try_other_section(student=request.user, lesson_request=lesson_request,
                                             topic_id=int(topic_id) if topic_id.isdigit() else 0)
        else:
            raise Http404("Unknown action")
    except LessonRequestError as error:
        messages.error(request, str(error))
        return redirect("student:lesson", pk=pk)
    messages.success(request, "Your new lesson is on its way.")
    if new.status == RequestStatus.READY:
        return redirect("student:lesson", pk=new.pk)
    return redirect(reverse("student:dashboard") + "#making")


@require_student
def report_problem(request, pk: int):
    """Report a problem with a lesson; it reaches the student's teachers."""
    lesson_request = selectors.get_request_for(request.user, pk)
    if lesson_request.lesson_id is None:
        raise Http404("No lesson yet")
    form = ProblemReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        progress.report_problem(student=request.user, lesson_request=lesson_request,
                                reason=form.cleaned_data["reason"], details=form.cleaned_data["details"])
        messages.success(request, "Thanks — your teacher will see your report.")
        return redirect("student:lesson", pk=pk)
    return render(request, "student/report.html", {"req": lesson_request, "form": form},
                  status=400 if form.errors else 200)


@require_student
def requiz(request, pk: int):
    """A few-days-later retention check on a lesson (kept apart from the first score)."""
    lesson_request = selectors.get_request_for(request.user, pk)
    page = selectors.requiz_page(request.user, lesson_request)
    return render(request, "student/requiz.html", {"req": lesson_request, **page})


# --- style guide -----------------------------------------------------------------------------------

def styleguide(request):
    """The living style guide (development only)."""
    if not settings.DEBUG:
        raise Http404("The style guide is only served with DEBUG on")
    return render(request, "styleguide.html", {
        "form": JoinClassForm({"code": "nope"}), "ask_form": AskForm(),
        "steps": [{"label": label, "state": state} for (_, label), state in
                  zip(selectors.STAGES, ["done", "done", "current", "pending", "pending"], strict=True)],
    })
