"""`manage.py check_providers` (issue 19): one tiny real call per configured provider, ok/failed
with the reason, against the fake Google; locally it reports the local providers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.support.fake_google import FAKE_ACCESS_TOKEN, Reply, configure_google

pytestmark = pytest.mark.django_db


def _run() -> str:
    out = StringIO()
    call_command("check_providers", stdout=out, no_color=True)
    return out.getvalue()


def test_locally_every_provider_is_reported_local(settings):
    lines = _run().splitlines()
    assert [line.split()[:2] for line in lines] == [["ok", "llm"], ["ok", "image"], ["ok", "tts"],
                                                   ["ok", "embeddings"], ["ok", "retrieval"]]
    assert all("local provider" in line for line in lines)


def test_every_google_provider_is_called_once_and_reported(settings, google):
    configure_google(settings, google, retrieval="vertex_vector_search", embeddings=True)
    output = _run()
    lines = {line.split()[1]: line for line in output.splitlines()}
    assert all(line.startswith("ok") for line in lines.values()), output
    assert "Vertex AI europe-west4, gemini-2.5-flash" in lines["llm"]
    assert "structured reply" in lines["llm"]
    assert "model publishers/google/models/gemini-2.5-flash-image reachable" in lines["image"]
    assert "sentence timepoints" in lines["tts"]
    assert "768-dim query vector" in lines["embeddings"]
    assert "find_neighbors answered" in lines["retrieval"]
    routes = [r["route"] for r in google.calls()]
    assert sorted(routes) == sorted(["generate", "get_model", "tts", "predict", "get_index", "find_neighbors"])


def test_a_failing_provider_is_reported_with_the_reason_and_the_command_fails(settings, google):
    configure_google(settings, google)
    google.queue("tts", Reply(status=403, body={"error": {
        "code": 403, "status": "PERMISSION_DENIED",
        "message": "Cloud Text-to-Speech API has not been used in project vividly-test or it is disabled."}}))
    out = StringIO()
    with pytest.raises(CommandError, match="1 provider check"):
        call_command("check_providers", stdout=out, no_color=True)
    failed = [line for line in out.getvalue().splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1
    assert "tts" in failed[0]
    assert "403" in failed[0]
    assert "disabled" in failed[0]
    assert FAKE_ACCESS_TOKEN not in out.getvalue()


def test_vector_search_without_its_ids_is_reported_unconfigured(settings):
    settings.RETRIEVAL_BACKEND = "vertex_vector_search"
    settings.VECTOR_SEARCH = {**settings.VECTOR_SEARCH, "INDEX_ID": ""}
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_providers", stdout=out, no_color=True)
    assert "VECTOR_SEARCH_INDEX_ID" in out.getvalue()
