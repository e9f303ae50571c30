"""Request/response shapes for the lesson API (also what drf-spectacular documents)."""

from __future__ import annotations

from rest_framework import serializers


class LessonRequestCreateSerializer(serializers.Serializer):
    question = serializers.CharField(required=False, allow_blank=True, max_length=2000, trim_whitespace=True,
                                     help_text="5–500 characters; optional when topic_id is given")
    interest = serializers.CharField(required=False, allow_blank=True, max_length=60,
                                     help_text="Interest name or slug; defaults to the student's top interest")
    topic_id = serializers.IntegerField(required=False, min_value=1, help_text="A catalogue topic to learn about")


class ChooseTopicSerializer(serializers.Serializer):
    topic_id = serializers.IntegerField(min_value=1)


class TopicChoiceSerializer(serializers.Serializer):
    topic_id = serializers.IntegerField()
    title = serializers.CharField()
    book = serializers.CharField()
    subject = serializers.CharField()
    confidence = serializers.FloatField()


class VividNowSceneSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    title = serializers.CharField()
    narration = serializers.CharField()
    audio_url = serializers.CharField(allow_null=True, help_text="null while this scene is still being voiced")
    audio_seconds = serializers.FloatField(allow_null=True)
    image_url = serializers.CharField()


class VividNowSerializer(serializers.Serializer):
    title = serializers.CharField()
    transcript = serializers.CharField()
    scenes = VividNowSceneSerializer(many=True)


class LessonRequestAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    lesson_id = serializers.IntegerField(allow_null=True)


class LessonRequestStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    stage = serializers.CharField()
    progress = serializers.IntegerField(min_value=0, max_value=100)
    message = serializers.CharField()
    question = serializers.CharField()
    interest = serializers.CharField()
    created_at = serializers.DateTimeField()
    lesson_id = serializers.IntegerField(allow_null=True)
    choices = TopicChoiceSerializer(many=True, allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    was_reused = serializers.BooleanField()
    stage_log = serializers.DictField()
    providers = serializers.DictField()
    vivid_now = VividNowSerializer(allow_null=True)


class SentenceSerializer(serializers.Serializer):
    text = serializers.CharField()
    citation = serializers.CharField(allow_null=True)
    framing = serializers.BooleanField()


class SceneSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    narration = serializers.CharField()
    sentences = SentenceSerializer(many=True)
    bullets = serializers.ListField(child=serializers.CharField())
    equation = serializers.CharField(allow_null=True)
    visual_description = serializers.CharField()
    image_url = serializers.CharField()
    audio_url = serializers.CharField()
    audio_seconds = serializers.FloatField()


class QuizQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The `question` to send to /api/v1/quiz-attempts/")
    index = serializers.IntegerField()
    prompt = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    answer = serializers.CharField(allow_null=True, help_text="null for a student until they answer the question")
    explanation = serializers.CharField(allow_null=True,
                                        help_text="null for a student until they answer the question")
    citation = serializers.CharField()
    practice_item_id = serializers.IntegerField(allow_null=True)


class LessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    topic_id = serializers.IntegerField()
    interest = serializers.CharField()
    grade_band = serializers.CharField()
    video_url = serializers.CharField(allow_null=True)
    captions_url = serializers.CharField(allow_null=True)
    poster_url = serializers.CharField(allow_null=True)
    transcript_url = serializers.CharField(allow_null=True)
    duration_seconds = serializers.FloatField()
    transcript = serializers.CharField()
    scenes = SceneSerializer(many=True)
    citations = serializers.ListField(child=serializers.DictField())
    quiz = QuizQuestionSerializer(many=True)
    quality = serializers.DictField()
    providers = serializers.DictField()
    ready_at = serializers.DateTimeField(allow_null=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False)  # DRF's own 403/404 bodies carry only `detail` (issue 11)
