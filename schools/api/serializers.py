"""Serializers for the teacher API (classes, roster, assignments, progress, signals)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from content.models import Assignment
from schools.models import Classroom
from teaching.models import SignalKind


class TeacherSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email"]


class ClassroomSerializer(serializers.ModelSerializer):
    student_count = serializers.IntegerField(read_only=True, default=0)
    teachers = TeacherSerializer(many=True, read_only=True)

    class Meta:
        model = Classroom
        fields = ["id", "name", "subject", "grade_band", "period", "join_code", "is_archived", "student_count",
                  "teachers", "created_at"]
        read_only_fields = ["join_code", "created_at"]


class StudentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "grade_level"]


class InviteSerializer(serializers.Serializer):
    emails = serializers.ListField(child=serializers.EmailField(), min_length=1, max_length=100)


class InviteResultSerializer(serializers.Serializer):
    invited = serializers.ListField(child=serializers.EmailField())
    already = serializers.ListField(child=serializers.EmailField())


class AssignmentSerializer(serializers.ModelSerializer):
    topic_title = serializers.CharField(source="topic.title", read_only=True)
    students = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=User.objects.none())

    class Meta:
        model = Assignment
        fields = ["id", "topic", "topic_title", "students", "due_at", "note", "created_at"]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        classroom = self.context.get("classroom")
        if classroom is not None:
            self.fields["students"].child_relation.queryset = User.objects.filter(enrollments__classroom=classroom)


class StudentProgressSerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    lessons_watched = serializers.IntegerField()
    lessons_completed = serializers.IntegerField()
    completion_percent = serializers.IntegerField(allow_null=True)
    minutes = serializers.IntegerField()
    quiz_percent = serializers.IntegerField(allow_null=True)
    requiz_percent = serializers.IntegerField(allow_null=True)
    last_active = serializers.DateTimeField(allow_null=True)


class HeatCellSerializer(serializers.Serializer):
    topic_id = serializers.IntegerField()
    status = serializers.CharField()
    label = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)


class HeatRowSerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    cells = HeatCellSerializer(many=True)


class TopicRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class AssignmentStatusSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField()
    topic_id = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    assigned = serializers.IntegerField()
    completed = serializers.IntegerField()
    late = serializers.IntegerField()
    percent = serializers.IntegerField()


class ClassProgressSerializer(serializers.Serializer):
    students = StudentProgressSerializer(many=True)
    topics = TopicRefSerializer(many=True)
    heatmap = HeatRowSerializer(many=True)
    assignments = AssignmentStatusSerializer(many=True)


class SignalSerializer(serializers.Serializer):
    student_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    title = serializers.CharField(read_only=True)
    fingerprint = serializers.CharField(max_length=120)
    reason = serializers.CharField(read_only=True)
