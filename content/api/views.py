"""Thin DRF views over content.services / content.selectors."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsStudent
from content import selectors, services
from ingestion.library_status import not_ready_answer
from vividly.api_errors import ErrorSerializer

from . import serializers as s

# 400 is either {detail, code} or DRF field errors {field: [messages]} (found by the issue-11 fuzz drill).
_INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="{detail, code} or {field: [messages]}")

class LessonRequestListCreateView(APIView):
    """POST: ask for a lesson (202). GET: the requests the user may see, newest first."""

    permission_classes = [IsAuthenticated]

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated(), IsStudent()]
        return super().get_permissions()

    @extend_schema(request=s.LessonRequestCreateSerializer,
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                                                description="Repeat submits with the same key return the same request")],
                   responses={202: s.LessonRequestAcceptedSerializer, 400: _INVALID,
                              403: ErrorSerializer, 429: ErrorSerializer,
                              409: OpenApiResponse(ErrorSerializer, description="library_preparing: the "
                                                   "question needs a textbook still being prepared")})
    def post(self, request):
        data = s.LessonRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = "" if data.validated_data.get("topic_id") else not_ready_answer(data.validated_data.get("question", ""))
        if notice:  # as on the Ask form: a kind "ask again soon", nothing created
            return Response({"detail": notice, "code": "library_preparing"}, status=status.HTTP_409_CONFLICT,
                            headers={"Retry-After": "120"})
        # a refusal (LessonRequestError) answers {detail, code} through vividly.api_errors
        lesson_request, _created = services.create_lesson_request(
            student=request.user, question=data.validated_data.get("question", ""),
            interest=data.validated_data.get("interest") or None, topic_id=data.validated_data.get("topic_id"),
            idempotency_key=request.headers.get("Idempotency-Key", ""))
        return Response({"id": lesson_request.pk, "status": lesson_request.status,
                         "lesson_id": lesson_request.lesson_id if lesson_request.status == "ready" else None},
                        status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: s.LessonRequestStatusSerializer(many=True)})
    def get(self, request):
        rows = selectors.lesson_requests_for(request.user)[:50]
        return Response([selectors.request_payload(row) for row in rows])


class LessonRequestDetailView(APIView):
    """Live status of one request (poll it): status, stage, progress, lesson_id, message, choices."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.LessonRequestStatusSerializer})
    def get(self, request, pk: int):
        return Response(selectors.request_payload(selectors.get_request_status_for(request.user, pk)))


class ChooseTopicView(APIView):
    """The student picks one of the offered topics for a request in needs_choice."""

    permission_classes = [IsAuthenticated, IsStudent]

    @extend_schema(request=s.ChooseTopicSerializer, responses={202: s.LessonRequestAcceptedSerializer,
                                                               400: _INVALID})
    def post(self, request, pk: int):
        lesson_request = selectors.get_lesson_request_for(request.user, pk)
        data = s.ChooseTopicSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson_request = services.choose_topic(student=request.user, lesson_request=lesson_request,
                                               topic_id=data.validated_data["topic_id"])
        return Response({"id": lesson_request.pk, "status": lesson_request.status, "lesson_id": None},
                        status=status.HTTP_202_ACCEPTED)


class LessonDetailView(APIView):
    """A lesson reachable through one of the user's visible requests. Students get a quiz question's
    answer and explanation only once they have answered it (POST /api/v1/quiz-attempts/)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.LessonSerializer})
    def get(self, request, pk: int):
        lesson = selectors.get_lesson_for(request.user, pk)
        return Response(selectors.lesson_payload(lesson, reveal=selectors.revealed_question_ids(request.user, lesson)))


class NotificationListView(APIView):
    """The user's in-app notifications (newest first); POST marks them read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.NotificationSerializer(many=True)})
    def get(self, request):
        rows = selectors.notifications_for(request.user)[:50]
        return Response([{"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url,
                          "read_at": n.read_at, "created_at": n.created_at} for n in rows])

    @extend_schema(request=None, responses={200: {"type": "object", "properties": {"marked": {"type": "integer"}}}})
    def post(self, request):
        return Response({"marked": services.mark_notifications_read(user=request.user)})
