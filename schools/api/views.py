"""Teacher API under /api/v1/classes/: the same data as the teacher pages, scoped the same way."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.permissions import IsTeacher
from accounts.privacy.services import record_student_access  # privacy hook (issue 5): access audit
from content.models import Assignment
from schools import selectors, services
from schools.models import Classroom

from . import serializers as s


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class ClassroomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A teacher's classes. Archive with PATCH {"is_archived": true}; another teacher's class is 404."""

    serializer_class = s.ClassroomSerializer
    permission_classes = [IsTeacher]

    def get_queryset(self):
        archived = self.request.query_params.get("archived") == "true"
        qs = Classroom.objects.visible_to(self.request.user).select_related("school").prefetch_related("teachers")
        qs = qs.annotate(student_count=Count("enrollments", distinct=True)).order_by("name")
        return qs.filter(is_archived=archived) if self.action == "list" else qs

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.create_classroom(
                actor=self.request.user, name=data["name"], subject=data["subject"],
                grade_band=data.get("grade_band", "9-10"), period=data.get("period", ""))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        classroom, data = serializer.instance, serializer.validated_data
        if "is_archived" in data and data["is_archived"] != classroom.is_archived:
            services.set_archived(actor=self.request.user, classroom=classroom, archived=data["is_archived"])
        services.update_classroom(
            actor=self.request.user, classroom=classroom, name=data.get("name", classroom.name),
            subject=data.get("subject", classroom.subject), grade_band=data.get("grade_band", classroom.grade_band),
            period=data.get("period", classroom.period))

    def _classroom(self) -> Classroom:
        return selectors.get_class_for(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=s.StudentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def roster(self, request, pk=None):
        """Students enrolled in the class."""
        students = list(selectors.roster(self._classroom()))
        record_student_access(request, students, "profile")  # privacy hook (issue 5)
        return Response(s.StudentSerializer(students, many=True).data)

    @extend_schema(request=s.InviteSerializer, responses=s.InviteResultSerializer)
    @action(detail=True, methods=["post"], url_path="roster/invite")
    def invite(self, request, pk=None):
        """Invite students by email (all or nothing); students with an account accept while signed in."""
        classroom = self._classroom()
        body = s.InviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = [services.InviteRow(email=e) for e in body.validated_data["emails"]]
        try:
            outcome = services.invite_students(actor=request.user, classroom=classroom, rows=rows, request=request)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(s.InviteResultSerializer(outcome).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"roster/(?P<student_pk>\d+)")
    def remove_student(self, request, pk=None, student_pk=None):
        """Remove a student from the class."""
        classroom = self._classroom()
        student = selectors.get_student_in_class(request.user, classroom, student_pk)
        services.remove_student(actor=request.user, classroom=classroom, student=student)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["get"], responses=s.AssignmentSerializer(many=True))
    @extend_schema(methods=["post"], request=s.AssignmentSerializer, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def assignments(self, request, pk=None):
        """List the class's assignments, or assign a topic (to chosen students when given)."""
        classroom = self._classroom()
        if request.method == "GET":
            return Response(s.AssignmentSerializer(selectors.assignments_for_class(classroom), many=True).data)
        body = s.AssignmentSerializer(data=request.data, context={"classroom": classroom})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            assignment = services.create_assignment(
                actor=request.user, classroom=classroom, topic=data["topic"], due_at=data["due_at"],
                students=data.get("students") or [], note=data.get("note", ""))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        assignment = Assignment.objects.select_related("topic").get(pk=assignment.pk)
        return Response(s.AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.ClassProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Per-student progress, the topic × student heatmap and assignment completion."""
        report = selectors.class_report(self._classroom())
        record_student_access(request, report.students, "progress")  # privacy hook (issue 5)
        data = {
            "students": [vars(row) for row in report.progress],
            "topics": [{"id": t.pk, "title": t.title} for t in report.heatmap.topics],
            "heatmap": [{"student_id": student.pk,
                         "cells": [{"topic_id": t.pk, "status": c.status, "label": c.label, "score": c.score}
                                   for t, c in zip(report.heatmap.topics, cells, strict=True)]}
                        for student, cells in report.heatmap.rows],
            "assignments": [{"assignment_id": a.assignment.pk, "topic_id": a.assignment.topic_id,
                             "due_at": a.assignment.due_at, "assigned": a.assigned, "completed": a.completed,
                             "late": a.late, "percent": a.percent} for a in report.assignments],
        }
        return Response(s.ClassProgressSerializer(data).data)

    @extend_schema(responses=s.SignalSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def signals(self, request, pk=None):
        """Needs-help signals that fire now (dismissed ones left out), each with its reason."""
        report = selectors.class_report(self._classroom())
        record_student_access(request, report.students, "progress")  # privacy hook (issue 5)
        return Response(s.SignalSerializer(report.signals, many=True).data)

    @extend_schema(request=s.SignalSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="signals/dismiss")
    def dismiss_signal(self, request, pk=None):
        """Dismiss one signal by student, kind and fingerprint."""
        classroom = self._classroom()
        body = s.SignalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        student = selectors.get_student_in_class(request.user, classroom, body.validated_data["student_id"])
        try:
            services.dismiss_signal(actor=request.user, classroom=classroom, student=student,
                                    kind=body.validated_data["kind"],
                                    fingerprint=body.validated_data["fingerprint"])
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
