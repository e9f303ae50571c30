"""GET /api/v1/search/?q=&k=&subject=&book=&chapter= for signed-in users (thin: calls search())."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ingestion.search import search


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=500, trim_whitespace=True)
    k = serializers.IntegerField(min_value=1, max_value=50, default=10)
    subject = serializers.CharField(required=False, max_length=32)
    book = serializers.CharField(required=False, max_length=80)
    chapter = serializers.IntegerField(required=False, min_value=1)


class PassageSerializer(serializers.Serializer):
    module_id = serializers.CharField()
    topic_id = serializers.IntegerField()
    book = serializers.CharField()
    book_title = serializers.CharField()
    subject = serializers.CharField()
    chapter = serializers.IntegerField()
    chapter_title = serializers.CharField()
    section_title = serializers.CharField()
    section_number = serializers.CharField()
    heading_path = serializers.ListField(child=serializers.CharField())
    anchor = serializers.CharField()
    text = serializers.CharField()
    score = serializers.FloatField()
    citation = serializers.CharField()
    attribution = serializers.CharField()
    kind = serializers.CharField()


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[SearchQuerySerializer], responses=PassageSerializer(many=True),
                   summary="Hybrid search over the textbooks (best passages first, with citations)")
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = {key: data[key] for key in ("subject", "book", "chapter") if key in data}
        passages = search(data["q"], k=data["k"], filters=filters)
        return Response(PassageSerializer([p.as_dict() for p in passages], many=True).data)
