"""The API's one error mapping (issue 16; DRF `EXCEPTION_HANDLER`) and its one error body.

Errors are `{"detail": ..., "code": ...}` (plus fields an endpoint documents, e.g. the flag `key`).
Services raise their own exceptions; views do not convert them by hand:
- an exception with an `http_status` and a stable `code` (e.g. content's LessonRequestError family)
  answers that status with its `message`, plus its `headers` (e.g. Retry-After);
- Django's ValidationError (model and service validation) answers 400 as DRF field errors;
- everything else goes to DRF's own handler.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    """Every API error body (documented in the schema; DRF's own 403/404 bodies carry only `detail`)."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


def exception_handler(exc, context):
    status = getattr(exc, "http_status", None)
    if status is not None and getattr(exc, "code", None):
        body = {"detail": getattr(exc, "message", str(exc)), "code": exc.code}
        return Response(body, status=status, headers=getattr(exc, "headers", None) or None)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return drf_exception_handler(exc, context)
