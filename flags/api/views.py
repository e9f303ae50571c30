"""Read-only flag API: the requesting user's decision for one flag, or for all flags."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from flags.evaluation import Reason, evaluate, evaluate_all
from flags.models import FLAG_KEY_PATTERN

from .serializers import FlagDecisionSerializer, FlagErrorSerializer

KEY_RE = re.compile(FLAG_KEY_PATTERN)


class FlagListView(APIView):
    """Every flag's state for the requesting user."""

    @extend_schema(
        operation_id="feature_flags_list",
        responses=FlagDecisionSerializer(many=True),
        tags=["feature-flags"],
    )
    def get(self, request):
        decisions = evaluate_all(request.user)
        return Response(FlagDecisionSerializer(decisions, many=True).data)


class FlagCheckView(APIView):
    """One flag's state for the requesting user, with the rule that decided it."""

    @extend_schema(
        operation_id="feature_flags_check",
        parameters=[
            OpenApiParameter(
                "key",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=FLAG_KEY_PATTERN,
                description="Flag key, e.g. video_generation.",
            )
        ],
        responses={200: FlagDecisionSerializer, 400: FlagErrorSerializer, 404: FlagErrorSerializer},
        tags=["feature-flags"],
    )
    def get(self, request, key: str):
        if not KEY_RE.fullmatch(key):
            return Response(
                {
                    "detail": "Invalid flag key: use lowercase letters, digits and underscores.",
                    "code": "invalid_flag_key",
                    "key": key[:100],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        decision = evaluate(key, request.user)
        if decision.reason is Reason.UNKNOWN_FLAG:
            return Response(
                {"detail": f"Unknown feature flag '{key}'.", "code": "unknown_flag", "key": key},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(FlagDecisionSerializer(decision).data)
