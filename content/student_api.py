"""Student progress API (/api/v1/progress/..., /api/v1/quiz-attempts/, ...): JWT or session auth.

The events endpoint also accepts a multipart form `events=<json>` with `csrfmiddlewaretoken`, which
is what `navigator.sendBeacon` can send when a tab closes.
"""

from __future__ import annotations

import json

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsStudent
from content.models import LessonProgress, ProblemReport, ProgressEvent, QuizAttempt, ReQuiz

from . import student_progress, student_selectors

MAX_BATCH = 200


class ProgressEventSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    request = serializers.IntegerField(min_value=1, help_text="The student's lesson request id")
    session = serializers.CharField(max_length=64)
    seq = serializers.IntegerField(min_value=0, max_value=10_000_000)
    kind = serializers.ChoiceField(choices=ProgressEvent.Kind.choices)
    position = serializers.FloatField()
    from_position = serializers.FloatField(required=False, allow_null=True)
    milestone = serializers.IntegerField(required=False, allow_null=True)
    rate = serializers.FloatField(required=False, default=1.0)
    client_time = serializers.DateTimeField()


class EventBatchSerializer(serializers.Serializer):
    events = ProgressEventSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class LessonProgressSerializer(serializers.ModelSerializer):
    lesson = serializers.IntegerField(source="lesson_id")
    request = serializers.IntegerField(source="lesson_request_id", allow_null=True)

    class Meta:
        model = LessonProgress
        fields = ["lesson", "request", "position_seconds", "watched_seconds", "watched_ranges", "max_milestone",
                  "events_count", "last_event_at", "completed_at", "completed_by"]


class BatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.ListField(child=serializers.DictField())
    progress = LessonProgressSerializer(many=True)


class ProgressEventsView(APIView):
    """Record a batch of player events (de-duplicated by id, ordered by session/seq)."""

    permission_classes = [IsStudent]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=EventBatchSerializer, responses={200: BatchResultSerializer})
    def post(self, request):
        data = request.data
        if isinstance(data, dict) and isinstance(data.get("events"), str):  # sendBeacon form (null body: 400 below)
            try:
                data = {"events": json.loads(data["events"])}
            except ValueError:
                return Response({"events": ["Not valid JSON."]}, status=status.HTTP_400_BAD_REQUEST)
        batch = EventBatchSerializer(data=data)
        batch.is_valid(raise_exception=True)
        events = [dict(e) for e in batch.validated_data["events"]]
        result = student_progress.record_events(student=request.user, events=events)
        if not result.accepted and not result.duplicates and all(
                r["reason"] == "unknown_lesson" for r in result.rejected):
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response({
            "accepted": result.accepted, "duplicates": result.duplicates, "rejected": result.rejected,
            "progress": LessonProgressSerializer(result.lessons.values(), many=True).data,
        })


class LessonProgressListView(generics.ListAPIView):
    """My progress per lesson (server-computed)."""

    permission_classes = [IsStudent]
    serializer_class = LessonProgressSerializer

    def get_queryset(self):
        user = self.request.user
        return LessonProgress.objects.visible_to(user).filter(student=user).order_by("-last_event_at", "pk")


class QuizAttemptSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(write_only=True)
    question = serializers.IntegerField(source="question_id")
    explanation = serializers.CharField(source="question.explanation", read_only=True)
    answer = serializers.CharField(source="question.answer", read_only=True)

    class Meta:
        model = QuizAttempt
        fields = ["id", "request", "question", "kind", "chosen", "is_correct", "answer", "explanation",
                  "answered_at"]
        read_only_fields = ["is_correct", "answered_at"]


class QuizAttemptsView(generics.ListCreateAPIView):
    """My quiz answers; POST one answer for instant feedback (the first answer counts)."""

    permission_classes = [IsStudent]
    serializer_class = QuizAttemptSerializer

    def get_queryset(self):
        user = self.request.user
        return QuizAttempt.objects.visible_to(user).filter(student=user).select_related("question").order_by("pk")

    def create(self, request, *args, **kwargs):
        incoming = QuizAttemptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        lesson_request = student_selectors.get_request_for(request.user, data["request"])
        question = student_selectors.get_question(lesson_request, data["question_id"])
        attempt, error = student_progress.answer_question(
            student=request.user, lesson_request=lesson_request, question=question, chosen=data["chosen"],
            kind=data.get("kind", QuizAttempt.Kind.IMMEDIATE))
        if error:
            return Response({"chosen": [error]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(QuizAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class ProblemReportSerializer(serializers.ModelSerializer):
    request = serializers.IntegerField(write_only=True)

    class Meta:
        model = ProblemReport
        fields = ["id", "request", "lesson", "reason", "details", "created_at", "resolved_at"]
        read_only_fields = ["lesson", "created_at", "resolved_at"]


class ProblemReportsView(generics.ListCreateAPIView):
    """Problem reports: students see and file their own; teachers see their students' (read-only)."""

    serializer_class = ProblemReportSerializer

    def get_queryset(self):
        return ProblemReport.objects.visible_to(self.request.user).order_by("-created_at", "pk")

    def create(self, request, *args, **kwargs):
        if not IsStudent().has_permission(request, self):
            return Response({"detail": "Only students can report problems."}, status=status.HTTP_403_FORBIDDEN)
        incoming = ProblemReportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        lesson_request = student_selectors.get_request_for(request.user, incoming.validated_data["request"])
        if lesson_request.lesson_id is None:
            return Response({"request": ["This lesson has no video yet."]}, status=status.HTTP_400_BAD_REQUEST)
        report = student_progress.report_problem(
            student=request.user, lesson_request=lesson_request, reason=incoming.validated_data["reason"],
            details=incoming.validated_data.get("details", ""))
        return Response(ProblemReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReQuizSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReQuiz
        fields = ["id", "lesson", "lesson_request", "due_at", "released_at", "completed_at", "correct", "total"]


class ReQuizListView(generics.ListAPIView):
    """My re-quiz schedule (retention checks, scored apart from the immediate quiz)."""

    permission_classes = [IsStudent]
    serializer_class = ReQuizSerializer

    def get_queryset(self):
        user = self.request.user
        return ReQuiz.objects.visible_to(user).filter(student=user).order_by("due_at", "pk")



urlpatterns = [
    path("progress/events/", ProgressEventsView.as_view(), name="api-progress-events"),
    path("progress/", LessonProgressListView.as_view(), name="api-progress"),
    path("quiz-attempts/", QuizAttemptsView.as_view(), name="api-quiz-attempts"),
    path("problem-reports/", ProblemReportsView.as_view(), name="api-problem-reports"),
    path("requizzes/", ReQuizListView.as_view(), name="api-requizzes"),
]
