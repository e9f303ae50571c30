"""GET /api/v1/search/?q=&k=&subject=&book=&chapter= for signed-in users (thin: calls search_sections()).

Answers distinct textbook sections, best first, each with its best passages. `q` may be a pasted
homework problem with its options (up to 4,000 characters; `ingestion.query` trims it for search).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ingestion.query import MAX_INPUT_CHARS
from ingestion.search import search_sections


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_INPUT_CHARS, trim_whitespace=True)
    k = serializers.IntegerField(min_value=1, max_value=20, default=5, help_text="number of sections")
    passages = serializers.IntegerField(min_value=1, max_value=10, default=3, help_text="passages per section")
    subject = serializers.CharField(required=False, max_length=32)
    book = serializers.CharField(required=False, max_length=80)
    chapter = serializers.IntegerField(required=False, min_value=1)


class PassageSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    heading_path = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    kind = serializers.CharField()
    score = serializers.FloatField()
    similarity = serializers.FloatField()


class SectionSerializer(serializers.Serializer):
    topic_id = serializers.IntegerField()
    module_id = serializers.CharField()
    book = serializers.CharField()
    book_title = serializers.CharField()
    subject = serializers.CharField()
    chapter = serializers.IntegerField()
    chapter_title = serializers.CharField()
    section_number = serializers.CharField()
    section_title = serializers.CharField()
    citation = serializers.CharField()
    attribution = serializers.CharField()
    source_url = serializers.CharField()
    score = serializers.FloatField()
    confidence = serializers.FloatField(help_text="cosine similarity of the question to the best passage")
    passages = PassageSerializer(many=True)


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[SearchQuerySerializer], responses=SectionSerializer(many=True),
                   summary="Textbook sections that answer a question (best first, best passages under each)")
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = {key: data[key] for key in ("subject", "book", "chapter") if key in data}
        sections = search_sections(data["q"], k=data["k"], filters=filters, passages_per_section=data["passages"])
        return Response(SectionSerializer([s.as_dict() for s in sections], many=True).data)
