"""The five stages end to end on the mini corpus: catalogue, practice items, index versions, resumability."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from ingestion import pipeline
from ingestion.models import (
    Book,
    Chapter,
    Chunk,
    IndexVersion,
    IngestionRun,
    PracticeItem,
    SourceDocument,
    Topic,
)
from ingestion.search import search
from ingestion.selectors import catalogue
from tests.support.corpus import MINI_CORPUS_DIR, MINI_MODULES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the mini corpus (tests edit, break or remove modules in it)."""
    target = tmp_path / "corpus"
    shutil.copytree(MINI_CORPUS_DIR, target)
    return target


def test_mini_corpus_fills_the_catalogue(mini_corpus):
    physics = Book.objects.get(slug="physics")
    assert physics.subject == "physics"
    assert "Paul Peter Urone" in physics.attribution
    assert physics.source_url == "https://openstax.org/details/books/physics"
    assert Chapter.objects.get(book__slug="biology-2e", number=1).unit_title == "The Cell"
    topic = Topic.objects.get(module_id="m90101")
    assert (topic.chapter.number, topic.number) == (1, 1)
    assert topic.learning_objectives == ["Relate net force, mass and acceleration",
                                         "Use the second law to solve force problems"]
    assert "net force" in topic.key_terms
    assert topic.glossary[0] == {"term": "net force", "meaning": "the vector sum of all forces acting on an object"}
    assert Topic.objects.get(module_id="m90100").number == 0
    assert Topic.objects.get(module_id="m92101").learning_objectives[0].startswith("Describe the fluid mosaic")
    assert not Topic.objects.filter(module_id="m90202").exists()  # malformed, skipped


def test_practice_items_are_tied_to_their_section(mini_corpus):
    item = PracticeItem.objects.get(module_id="m92101", element_id="cm-ex-1")
    assert item.topic == mini_corpus.topic("m92101")
    assert (item.kind, item.answer, item.section_class) == ("multiple_choice", "b", "multiple-choice")
    assert item.choices[1] == "phospholipids"
    assert PracticeItem.objects.get(module_id="m92101", element_id="cm-ex-2").solution.startswith("Its lipids")
    assert PracticeItem.objects.filter(module_id="m90101").count() == 2


def test_malformed_module_is_recorded_and_the_rest_indexed(mini_corpus):
    run = IngestionRun.objects.exclude(errors=[]).order_by("-pk").first() or mini_corpus.run
    assert any(e["module"] == "m90202" and "malformed XML" in e["error"] for e in run.errors)
    assert SourceDocument.objects.get(module_id="m90202").status == SourceDocument.Status.ERROR
    indexed = set(Chunk.objects.filter(version__status="active").values_list("module_id", flat=True))
    assert indexed == {m for modules in MINI_MODULES.values() for m in modules}


def test_chunks_store_model_dimensions_vectors_and_full_text(mini_corpus):
    version = IndexVersion.objects.get(book_slug="physics", status="active")
    assert (version.embedding_model, version.dimensions) == ("sentence-transformers/all-MiniLM-L6-v2#onnx-int8", 384)
    chunks = Chunk.objects.filter(version=version)
    assert chunks.exists()
    assert not chunks.filter(embedding_384__isnull=True).exists()
    assert not chunks.filter(search_vector__isnull=True).exists()
    assert chunks.filter(embedding_768__isnull=False).count() == 0
    first = chunks.get(module_id="m90101", kind="text", ordinal=1)
    assert len(first.embedding_384) == 384
    assert first.heading_path == ["Newton's Second Law of Motion", "Force, Mass and Acceleration"]
    assert first.anchor == "m90101#p-law-1"
    assert (first.chapter_number, first.section_number, first.subject) == (1, 1, "physics")


def test_rerun_is_a_no_op(mini_corpus):
    versions = list(IndexVersion.objects.values_list("pk", flat=True).order_by("pk"))
    chunk_count = Chunk.objects.count()
    run = pipeline.run_ingest(book="all", source=str(MINI_CORPUS_DIR))
    assert run.counts["modules_unchanged"] == 11
    assert run.counts["books_up_to_date"] == 3
    assert "chunks" not in run.counts
    assert list(IndexVersion.objects.values_list("pk", flat=True).order_by("pk")) == versions
    assert Chunk.objects.count() == chunk_count


def test_old_index_is_served_until_the_new_one_is_complete(mini_corpus, corpus_copy):
    # given a changed module, when the new version is chunked and embedded but not yet indexed
    module = corpus_copy / "physics" / "modules" / "m90102" / "index.cnxml"
    module.write_text(module.read_text().replace("Bathroom scales really measure force",
                                                 "Spring scales in elevators really measure force"))
    old_version = IndexVersion.objects.get(book_slug="physics", status="active")
    pipeline.run_ingest(book="physics", source=str(corpus_copy), stop_after="embed")
    building = IndexVersion.objects.get(book_slug="physics", status="building")
    assert building.chunks.filter(embedding_384__isnull=True).count() == 0
    # then searches still read the old version
    texts = " ".join(p.text for p in search("spring scales in elevators", k=20))
    assert "Spring scales in elevators" not in texts
    assert IndexVersion.objects.get(pk=old_version.pk).status == "active"
    # when the run finishes, the new text is served and the old version is gone
    run = pipeline.run_ingest(book="physics", source=str(corpus_copy))
    assert run.counts.get("chunks_embedded", 0) == 0  # resumed: nothing embedded twice
    assert IndexVersion.objects.get(pk=building.pk).status == "active"
    assert not IndexVersion.objects.filter(pk=old_version.pk).exists()
    assert any("Spring scales in elevators" in p.text for p in search("spring scales in elevators", k=5))


def test_changed_module_reuses_embeddings_of_unchanged_chunks(mini_corpus, corpus_copy):
    pipeline.run_ingest(book="physics", source=str(corpus_copy))  # the index matches this copy (whatever ran before)
    module = corpus_copy / "physics" / "modules" / "m90201" / "index.cnxml"
    module.write_text(module.read_text().replace("four times the kinetic energy", "four times the energy of motion"))
    run = pipeline.run_ingest(book="physics", source=str(corpus_copy))
    assert run.counts["modules_parsed"] == 1
    assert run.counts["modules_unchanged"] == 4
    assert 1 <= run.counts["chunks_embedded"] <= 3
    assert run.counts["chunks_embedding_reused"] > 5


def test_force_rebuilds_a_new_version(mini_corpus):
    old = IndexVersion.objects.get(book_slug="chemistry-2e", status="active")
    run = pipeline.run_ingest(book="chemistry", source=str(MINI_CORPUS_DIR), force=True)
    assert run.counts["modules_parsed"] == 3
    new = IndexVersion.objects.get(book_slug="chemistry-2e", status="active")
    assert new.pk != old.pk
    assert Chunk.objects.filter(book_slug="chemistry-2e").count() == new.chunks.count()


def test_missing_module_and_non_utf8_bytes_are_recorded(mini_corpus, corpus_copy):
    collection = corpus_copy / "biology-2e" / "collections" / "biology-2e.collection.xml"
    collection.write_text(collection.read_text().replace(
        '<col:module document="m92102"/>', '<col:module document="m92102"/><col:module document="m92999"/>'))
    broken = corpus_copy / "biology-2e" / "modules" / "m92102" / "index.cnxml"
    broken.write_bytes(broken.read_bytes().replace(b"chloroplasts", b"chloroplast\xff\xfe s"))
    before = Chunk.objects.filter(module_id="m92102", version__status="active").count()
    run = pipeline.run_ingest(book="biology", source=str(corpus_copy))
    errors = {e["module"]: e["error"] for e in run.errors}
    assert "missing" in errors["m92999"]
    assert "malformed XML" in errors["m92102"]
    assert run.status == IngestionRun.Status.PARTIAL
    # the last good parse of the broken module keeps being served: nothing indexed is lost
    assert Chunk.objects.filter(module_id="m92102", version__status="active").count() == before
    assert search("photosynthesis chloroplasts", k=3)[0].module_id == "m92102"


def test_catalogue_tree(mini_corpus):
    tree = {node["subject"]: node for node in catalogue()}
    assert set(tree) >= {"physics", "chemistry", "biology"}
    physics = next(b for b in tree["physics"]["books"] if b["slug"] == "physics")
    first = physics["chapters"][0]
    assert first["title"] == "Forces and Newton's Laws of Motion"
    assert [s["number"] for s in first["sections"]] == ["1.0", "1.1", "1.2"]
    assert first["sections"][1]["learning_objectives"][0] == "Relate net force, mass and acceleration"
    assert [s["module_id"] for s in catalogue(subject="biology", include_intros=False)[0]["books"][0]
            ["chapters"][0]["sections"]] == ["m92101", "m92102"]


def _subprocess_env() -> dict:
    db = settings.DATABASES["default"]
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "vividly.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL, "HF_HUB_OFFLINE": "1"}


@pytest.mark.django_db(transaction=True)
def test_killed_run_resumes_without_duplicates(corpus_copy):
    # the session's committed mini corpus is visible here: start from an empty index
    Book.objects.all().delete()
    for model in (IndexVersion, SourceDocument, IngestionRun):
        model.objects.all().delete()
    # given an ingest subprocess killed (SIGKILL) once chunks exist but before the index switch
    proc = subprocess.Popen(  # noqa: S603 - our own manage.py ingest on a test corpus
        [sys.executable, "manage.py", "ingest", "--source", str(corpus_copy), "--no-progress"],
        cwd=ROOT, env=_subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not Chunk.objects.exists():
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert Chunk.objects.exists()
    assert IndexVersion.objects.filter(status="active").count() != 3  # it really was interrupted
    # when the ingest runs again
    run = pipeline.run_ingest(source=str(corpus_copy))
    # then every book is indexed exactly once, with no duplicate chunks
    assert run.status == IngestionRun.Status.PARTIAL  # only the deliberately malformed module
    assert IndexVersion.objects.filter(status="active").count() == 3
    assert not IndexVersion.objects.exclude(status="active").exists()
    keys = list(Chunk.objects.values_list("version_id", "module_id", "ordinal"))
    assert len(keys) == len(set(keys))
    assert set(Chunk.objects.values_list("module_id", flat=True)) == {m for v in MINI_MODULES.values() for m in v}
    assert Topic.objects.count() == 11
    assert search("difference between mass and weight", k=1)[0].module_id == "m90102"


def test_switching_minilm_builds_retire_the_superseded_versions(mini_corpus):
    # given an active physics index built by the torch MiniLM (the model name before the ONNX export)
    # and an unrelated model's index that must survive
    torch_built = IndexVersion.objects.create(book_slug="physics", fingerprint="old", dimensions=384,
                                              embedding_model="sentence-transformers/all-MiniLM-L6-v2",
                                              status="active")
    vertex = IndexVersion.objects.create(book_slug="physics", fingerprint="v", dimensions=768,
                                         embedding_model="text-embedding-005", status="active")
    # when the physics index is rebuilt with the configured ONNX model
    pipeline.run_ingest(book="physics", source=str(MINI_CORPUS_DIR), force=True)
    # then the torch-built version is gone, the other model's is kept, one ONNX version serves
    assert not IndexVersion.objects.filter(pk=torch_built.pk).exists()
    assert IndexVersion.objects.filter(pk=vertex.pk, status="active").exists()
    assert IndexVersion.objects.filter(book_slug="physics", status="active",
                                       embedding_model__endswith="#onnx-int8").count() == 1


def test_a_run_always_leaves_the_vector_index_in_place(mini_corpus):
    from django.db import connection

    from ingestion import loading

    loading.drop_vector_index(384)  # as a large load does, or a run that crashed mid-load
    pipeline.run_ingest(book="chemistry", source=str(MINI_CORPUS_DIR), force=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'chunk_emb384_hnsw'")
        definition = cursor.fetchone()[0]
    assert "hnsw" in definition
    assert "vector_cosine_ops" in definition
    assert not loading.ensure_vector_index(384)  # already there: nothing to build
