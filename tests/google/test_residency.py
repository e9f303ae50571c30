"""District AI data residency covers every Google call, the student's question embedding included
(issue 19): a district with residency on never reaches the fake Google; others do."""

from __future__ import annotations

import pytest

from accounts.privacy.models import DistrictPrivacySettings
from content import services
from content.models import ProviderCall
from content.tasks import understand_request
from ingestion import pipeline
from tests.support.corpus import MINI_CORPUS_DIR
from tests.support.fake_google import configure_google
from vividly.providers import registry, residency
from vividly.providers.base import SlideSpec
from vividly.providers.residency import ResidencyBlocked

QUESTION = "what is the difference between mass and weight"


@pytest.fixture
def google_retrieval(mini_corpus, google, settings, cloud_providers_on):
    """Physics embedded by Vertex AI (the fake) and served by Vector Search (the fake)."""
    configure_google(settings, google, retrieval="vertex_vector_search", embeddings=True)
    pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), reembed=True)
    google.requests.clear()
    return google


def _keep_local(district) -> None:
    DistrictPrivacySettings.objects.update_or_create(district=district, defaults={"ai_data_residency": True})


def test_search_api_embeds_the_question_with_google_only_outside_residency(google_retrieval, tenant_a, tenant_b,
                                                                          api_client_for):
    _keep_local(tenant_b.district)
    # a student of a district without residency: the question goes to Vertex AI and Vector Search
    response = api_client_for(tenant_a.student).get("/api/v1/search/", {"q": QUESTION, "book": "physics"})
    assert response.status_code == 200
    assert response.json()[0]["module_id"] == "m90102"
    assert google_retrieval.calls("predict")
    assert google_retrieval.calls("find_neighbors")
    # a student of a district with residency: nothing reaches Google, words alone still find the section
    google_retrieval.requests.clear()
    response = api_client_for(tenant_b.student).get("/api/v1/search/", {"q": QUESTION, "book": "physics"})
    assert response.status_code == 200
    assert response.json()[0]["module_id"] == "m90102"
    assert google_retrieval.requests == []
    # and the ledger charged only district A for the question it sent
    charged = ProviderCall.objects.filter(capability="embeddings", district__isnull=False)  # (not the ingest's)
    assert set(charged.values_list("district_id", flat=True)) == {tenant_a.district.pk}


def test_understanding_a_residency_districts_question_never_reaches_google(google_retrieval, tenant_b):
    _keep_local(tenant_b.district)
    request, _ = services.create_lesson_request(student=tenant_b.student, question=QUESTION, interest="basketball",
                                                enforce_quota=False, enqueue=False)
    understand_request.apply(args=[request.pk])
    request.refresh_from_db()
    # understood by BM25 alone: with no cosine confidence the student picks among the right sections
    assert request.status == "needs_choice"
    assert request.choices[0]["title"] == "Mass and Weight"
    assert google_retrieval.requests == []


def test_every_google_provider_refuses_inside_a_residency_scope(google_retrieval, tenant_b):
    _keep_local(tenant_b.district)
    with residency.district_scope(tenant_b.district.pk):
        for capability, call in [("embeddings", lambda p: p.embed_query("q")),
                                 ("llm", lambda p: p.generate_json(system="s", prompt="p", schema={"type": "OBJECT"})),
                                 ("tts", lambda p: p.synthesize("Hello.")),
                                 ("image", lambda p: p.render(SlideSpec(title="t")))]:
            with pytest.raises(ResidencyBlocked):
                call(registry.get(capability))
    assert google_retrieval.requests == []
    # outside the scope (another district, or none) the same provider calls Google
    registry.get("embeddings").embed_query("q")
    assert google_retrieval.calls("predict")
