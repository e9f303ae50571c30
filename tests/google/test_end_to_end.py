"""Done-when of issue 19: with the Google backends configured through the environment and the fake
Google running, a lesson goes end to end through a real Celery worker: a Gemini script, images,
Cloud TTS narration, Vertex AI embeddings and Vector Search retrieval, each costed in the ledger;
a student of a district with data residency gets a lesson without the worker ever reaching Google."""

from __future__ import annotations

import json
import os
import time

import pytest

from accounts.privacy.models import DistrictPrivacySettings
from content.models import Lesson, LessonRequest, ProviderCall, RequestStatus
from content.pipeline.stages import build_brief
from content.writers.local import compose_script
from ingestion import pipeline
from ingestion.models import Topic
from tests.support.corpus import MINI_CORPUS_DIR
from tests.support.fake_google import FAKE_ACCESS_TOKEN, Reply, configure_google, gemini_text_reply
from tests.support.processes import purge, start_worker, subprocess_env
from vividly.providers import residency

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
URL = "/api/v1/lessons/requests/"


def _google_env(fake, queue: str) -> dict[str, str]:
    """The production settings, aimed at the fake: what an operator sets on Cloud Run (plus endpoints)."""
    return subprocess_env(
        LESSON_GENERATION_QUEUE=queue, LLM_PROVIDER="gemini", IMAGE_PROVIDER="nano_banana", TTS_PROVIDER="google",
        EMBEDDINGS_BACKEND="vertex", RETRIEVAL_BACKEND="vertex_vector_search", GOOGLE_CLOUD_PROJECT="vividly-test",
        GOOGLE_CLOUD_LOCATION="europe-west4", GOOGLE_API_ENDPOINT=fake.url, GEMINI_TIMEOUT="120",
        VECTOR_SEARCH_INDEX_ID="chunks-index", VECTOR_SEARCH_INDEX_ENDPOINT_ID="chunks-endpoint",
        VECTOR_SEARCH_DEPLOYED_INDEX_ID="chunks_deployed", VECTOR_SEARCH_API_ENDPOINT=fake.url,
        BREAKER_FAIL_MAX="20",
        GOOGLE_APPLICATION_CREDENTIALS=os.environ["GOOGLE_APPLICATION_CREDENTIALS"])


@pytest.fixture
def tenants(tenant_a, tenant_b):
    return tenant_a, tenant_b


def _wait(pk: int, *, until, timeout: float = 400) -> LessonRequest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = LessonRequest.objects.get(pk=pk)
        if request.status in until:
            return request
        time.sleep(0.2)
    raise AssertionError(f"request {pk} still {LessonRequest.objects.get(pk=pk).status}")


@pytest.mark.usefixtures("cloud_providers_on", "mini_corpus")
def test_a_lesson_goes_end_to_end_on_google_and_residency_keeps_another_district_local(
        google, settings, tmp_path, tenants, api_client_for):
    tenant_a, tenant_b = tenants
    # given physics embedded by Vertex AI and published to Vector Search (the fake), and district B local
    configure_google(settings, google, retrieval="vertex_vector_search", embeddings=True)
    pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), reembed=True)
    DistrictPrivacySettings.objects.update_or_create(district=tenant_b.district, defaults={"ai_data_residency": True})
    queue = f"generation-google-{os.getpid()}"
    settings.LESSON_GENERATION_QUEUE = queue
    google.requests.clear()
    script_reply = google.hold("generate")
    worker = start_worker(f"google-{os.getpid()}", tmp_path / "worker.log", queues=(queue,), concurrency=1,
                          env=_google_env(google, queue))
    try:
        # when a student of district A picks a section
        topic = Topic.objects.get(module_id="m90101")
        response = api_client_for(tenant_a.student).post(URL, {"topic_id": topic.pk}, format="json")
        assert response.status_code == 202
        request_id = response.json()["id"]
        # Gemini is asked for the script: answer with a grounded one written from the same brief
        request = _wait(request_id, until=("scripting", "failed", "ready"))
        deadline = time.monotonic() + 120
        while not google.calls("generate") and time.monotonic() < deadline:
            time.sleep(0.2)
        lesson = Lesson.objects.get(pk=request.lesson_id)
        with residency.district_scope(tenant_a.district.pk):
            script = compose_script(build_brief(lesson))
        script_reply.put(Reply(body=gemini_text_reply(json.dumps(script))))
        request = _wait(request_id, until=("ready", "failed"))
        assert request.status == RequestStatus.READY, request.message
        # then every stage ran on Google
        lesson.refresh_from_db()
        assert lesson.providers["scripting"] == "gemini"
        assert lesson.providers["narrating"] == "google_tts"
        assert lesson.providers["rendering"] == "nano_banana"
        routes = {r["route"] for r in google.calls()}
        assert {"generate", "tts", "predict", "find_neighbors"} <= routes
        assert all(r["headers"].get("authorization", "").startswith("Bearer ") for r in google.calls())
        assert all("/locations/europe-west4/" in r["path"] for r in google.calls()
                   if r["route"] in ("generate", "predict", "find_neighbors"))
        # captions follow Cloud TTS timepoints
        assert all(scene.audio_timings.get("sentences") for scene in lesson.scenes.all())
        # and each Google call is costed in district A's ledger
        costed = ProviderCall.objects.filter(district=tenant_a.district, succeeded=True, estimated_cost__gt=0)
        assert {"gemini", "nano_banana", "google_tts", "vertex-ai"} <= set(costed.values_list("provider", flat=True))

        # when a student of district B (residency on) asks a question
        google.requests.clear()
        response = api_client_for(tenant_b.student).post(URL, {"topic_id": Topic.objects.get(module_id="m90102").pk},
                                                         format="json")
        request = _wait(response.json()["id"], until=("ready", "failed"))
        # then the lesson is made locally and the worker never reached Google
        assert request.status == RequestStatus.READY, request.message
        assert google.requests == []
        assert request.lesson.providers["scripting"] == "local"
        worker.wait_idle()
    finally:
        worker.stop()
        purge((queue,))
    assert FAKE_ACCESS_TOKEN not in (tmp_path / "worker.log").read_text()
