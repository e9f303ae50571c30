"""handler500 (vividly/errors.py): JSON for the API, 503 + Retry-After while the database is down."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from vividly.errors import server_error


def _respond(path: str, exc: Exception):
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:  # noqa: BLE001 - handler500 runs inside the except block, as Django calls it
        return server_error(request)


def test_api_gets_json_503_with_retry_after_while_the_database_is_down():
    response = _respond("/api/v1/me/", OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["code"] == "database_unavailable"


@pytest.mark.parametrize(("path", "ctype"), [("/api/v1/me/", "application/json"), ("/student/", "text/html")])
def test_other_errors_stay_500(path, ctype):
    response = _respond(path, ValueError("boom"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith(ctype)
    assert not response.has_header("Retry-After")


def test_pages_get_a_plain_503_while_the_database_is_down():
    response = _respond("/student/", OperationalError("gone"))
    assert response.status_code == 503
    assert b"briefly unavailable" in response.content
