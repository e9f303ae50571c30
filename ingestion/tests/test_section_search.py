"""Section search: distinct sections with their passages, review questions that rank but never show,
long pasted questions, the API shape and the BM25 index shared through disk."""

from pathlib import Path

import pytest
from django.conf import settings

from ingestion import lexical
from ingestion.chunking import PRACTICE
from ingestion.models import Chunk, IndexVersion
from ingestion.query import DENSE_MAX_CHARS, MAX_INPUT_CHARS, prepare
from ingestion.search import SectionHit, active_versions, search, search_sections
from vividly.providers import registry

PASTED = (
    "Question 7 (2 points). A student pushes a 5-kg box across a smooth floor and notices that the harder "
    "she pushes, the faster its speed changes. Her friend says the box's mass does not matter at all. "
    "Using what you know about forces, explain who is right and show your reasoning with a calculation "
    "of the acceleration when the net force on the box is 20 N. Assume there is no friction at all and "
    "that the push is horizontal. Which of the following is the acceleration of the box? "
    "a) 0.25 m/s^2 b) 4 m/s^2 c) 20 m/s^2 d) 100 m/s^2")


def test_sections_are_distinct_ranked_and_carry_their_own_passages(mini_corpus):
    hits = search_sections("what is the difference between mass and weight", k=5)
    assert isinstance(hits[0], SectionHit)
    assert hits[0].module_id == "m90102"
    assert hits[0].citation == "Physics, 1.2 Mass and Weight"
    modules = [h.module_id for h in hits]
    assert len(modules) == len(set(modules)) > 1
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert 1 <= len(hit.passages) <= 3
        assert {p.module_id for p in hit.passages} == {hit.module_id}
        assert 0 <= hit.confidence <= 1
        # the best passage's similarity, or a review question's of the same section that is closer
        assert hit.confidence >= max(p.similarity for p in hit.passages) - 1e-4


@pytest.mark.parametrize(("question", "module_id"), [
    ("why does my weight change on the moon but my mass doesn't", "m90102"),
    ("how does a buffer keep the pH from changing", "m91102"),
    ("how do plants use sunlight to make sugar", "m92102"),
    ("what holds the cell membrane together", "m92101"),
], ids=["moon", "buffer", "photosynthesis", "membrane"])
def test_student_phrasings_find_their_section_first(mini_corpus, question, module_id):
    assert search_sections(question, k=3)[0].module_id == module_id


def test_review_questions_rank_sections_but_are_never_passages(mini_corpus):
    assert Chunk.objects.filter(kind=PRACTICE, version__status="active").exists()
    for question in ("Which molecules make up the bulk of the plasma membrane?", "force mass acceleration"):
        assert all(p.kind != PRACTICE for hit in search_sections(question, k=5) for p in hit.passages)
        assert all(p.kind != PRACTICE for p in search(question, k=50))


def test_a_pasted_homework_problem_is_trimmed_and_answered(mini_corpus):
    assert len(PASTED) > 500
    prepared = prepare(PASTED)
    assert prepared.options == ("0.25 m/s^2", "4 m/s^2", "20 m/s^2", "100 m/s^2")
    assert len(prepared.dense) <= DENSE_MAX_CHARS
    assert "Which of the following is the acceleration of the box?" in prepared.dense  # the question survives
    assert prepared.dense.startswith("Question 7")  # in reading order
    assert "4 m/s^2" in prepared.lexical
    assert search_sections(PASTED, k=3)[0].module_id == "m90101"


def test_prepare_cleans_and_caps_input():
    prepared = prepare("  what\x00 is\n\n   a\tforce? " + "x" * (MAX_INPUT_CHARS * 2))
    assert prepared.raw.startswith("what is a force? ")
    assert len(prepared.raw) == MAX_INPUT_CHARS
    assert prepare("a) not options without a stem b) really").options == ("not options without a stem", "really")
    assert prepare("What is a b) c) d) mess").options == ()  # letters out of order are not options
    assert prepare("   ").raw == ""


def test_empty_and_filtered_queries(mini_corpus):
    assert search_sections("   ", k=5) == []
    assert search_sections("energy", k=0) == []
    assert {h.book for h in search_sections("energy", k=10, filters={"book": "biology-2e"})} == {"biology-2e"}
    assert search_sections("energy", k=5, filters={"book": "no-such-book"}) == []


def test_bm25_index_is_saved_once_and_loaded_by_other_processes(mini_corpus):
    versions = active_versions(model=registry.get("embeddings").model)
    lexical.prepare_for(versions)
    saved = list(Path(settings.SEARCH_INDEX_DIR).glob("bm25-*"))
    directory = lexical._directory(tuple(sorted(versions)))
    assert directory in saved
    built = lexical.index_for(versions)
    lexical.reset()  # a new process: nothing in memory
    loaded = lexical.index_for(versions)
    assert loaded is not built
    assert loaded.top("phospholipid bilayer", limit=3) == built.top("phospholipid bilayer", limit=3)
    assert Chunk.objects.get(pk=loaded.top("phospholipid bilayer", limit=1)[0][0]).module_id == "m92101"


def test_search_api_returns_sections_with_passages(mini_corpus, api_client_for, tenant_a):
    response = api_client_for(tenant_a.student).get("/api/v1/search/", {"q": "mass and weight", "k": 2,
                                                                        "passages": 1})
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 2
    assert body[0]["module_id"] == "m90102"
    assert body[0]["citation"] == "Physics, 1.2 Mass and Weight"
    assert len(body[0]["passages"]) == 1
    assert body[0]["passages"][0]["heading_path"][0] == "Mass and Weight"
    assert body[0]["module_id"] != body[1]["module_id"]


def test_search_api_accepts_a_long_pasted_question(mini_corpus, api_client_for, tenant_a):
    response = api_client_for(tenant_a.student).get("/api/v1/search/", {"q": PASTED})
    assert response.status_code == 200
    assert response.json()[0]["module_id"] == "m90101"
    too_long = api_client_for(tenant_a.student).get("/api/v1/search/", {"q": "why " * MAX_INPUT_CHARS})
    assert too_long.status_code == 400


def test_an_index_built_before_the_onnx_export_is_searched_until_it_is_replaced(mini_corpus):

    # given a physics index built by the torch MiniLM (a database from before the upgrade) and a
    # chemistry index of an unrelated model
    IndexVersion.objects.filter(book_slug="physics", status="active").update(
        embedding_model="sentence-transformers/all-MiniLM-L6-v2")
    IndexVersion.objects.filter(book_slug="chemistry-2e", status="active").update(embedding_model="other-model")
    # then physics is still searched (same weights), chemistry is not (never mix models)
    versions = active_versions(model=registry.get("embeddings").model)
    assert set(IndexVersion.objects.filter(pk__in=versions).values_list("book_slug", flat=True)) == {
        "physics", "biology-2e"}
    assert search_sections("what is the difference between mass and weight", k=1)[0].module_id == "m90102"
    assert not any(h.book == "chemistry-2e" for h in search_sections("buffer pH acid base", k=10))


def test_a_sections_review_questions_count_in_its_whole_section_score(mini_corpus, monkeypatch):
    from ingestion import search as section_search  # noqa: PLC0415 - the module's weights are patched below

    # given a question worded like one of the indexed review questions of m90101 (m90102 has none)
    asked = Chunk.objects.filter(kind=PRACTICE, module_id="m90101", version__status="active").first()
    assert asked is not None
    assert not Chunk.objects.filter(kind=PRACTICE, module_id="m90102", version__status="active").exists()
    candidates = section_search._candidates(prepare(asked.text), {})
    # when the two sections are scored as a whole with and without their review questions
    with_practice = section_search._whole_section_scores(candidates, ["m90101", "m90102"])
    monkeypatch.setattr(section_search, "PRACTICE_WEIGHT", 0.0)
    without = section_search._whole_section_scores(candidates, ["m90101", "m90102"])
    # then the review questions near the question raise their section's score; the other section's is unchanged
    assert with_practice["m90101"] - without["m90101"] > 0.1
    assert with_practice["m90102"] == pytest.approx(without["m90102"])
