"""Chunk stage: window-sized, overlapping, section-bounded chunks with stable anchors."""

import itertools

from ingestion import chunking, cnxml
from tests.support.corpus import MINI_CORPUS_DIR
from vividly.providers.local_embeddings import MiniLMEmbeddings

TOKENIZER = MiniLMEmbeddings()


def _parsed(book: str, module_id: str) -> dict:
    return cnxml.parse_module((MINI_CORPUS_DIR / book / "modules" / module_id / "index.cnxml").read_bytes())


def test_chunks_carry_heading_path_and_anchor():
    drafts = chunking.chunk_module(_parsed("physics", "m90101"), count=TOKENIZER.count_tokens,
                                   chapter_title="Forces")
    kinds = [d.kind for d in drafts]
    assert kinds[0] == "overview"
    assert "glossary" in kinds
    assert "text" in kinds
    text = [d for d in drafts if d.kind == "text"]
    assert {tuple(d.heading_path) for d in text} == {
        ("Newton's Second Law of Motion", "Force, Mass and Acceleration"),
        ("Newton's Second Law of Motion", "Units of Force")}
    assert all(d.anchor.startswith("m90101#") for d in drafts)
    assert text[0].embed_text.startswith("Newton's Second Law of Motion > Force, Mass and Acceleration: ")
    # never crosses a subsection: the units paragraph is alone in its chunk
    units = [d for d in text if d.heading_path[-1] == "Units of Force"]
    assert len(units) == 1
    assert "net force" not in units[0].text


def test_huge_paragraph_is_split_to_fit_the_window_with_overlap():
    sentences = [f"Sentence number {i} talks about electric charge and current in a long wire." for i in range(600)]
    parsed = {"module_id": "m1", "title": "Huge", "objectives": [], "key_terms": [], "glossary": [],
              "blocks": [{"text": " ".join(sentences), "path": [], "id": "p1", "kind": "text"}]}
    drafts = [d for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens) if d.kind == "text"]
    sizes = TOKENIZER.count_tokens([d.embed_text for d in drafts])
    assert len(drafts) > 20
    assert max(sizes) <= chunking.MAX_TOKENS
    for first, second in itertools.pairwise(drafts):
        assert first.text.split(". ")[-1] in second.text  # overlap carries the last sentence over
    joined = " ".join(d.text for d in drafts)
    assert all(s in joined for s in sentences)


def test_huge_sentence_without_punctuation_is_split_by_words():
    parsed = {"module_id": "m2", "title": "Run-on", "objectives": [], "key_terms": [], "glossary": [],
              "blocks": [{"text": "word " * 3000, "path": ["A"], "id": "p", "kind": "text"}]}
    drafts = chunking.chunk_module(parsed, count=TOKENIZER.count_tokens)
    assert max(TOKENIZER.count_tokens([d.embed_text for d in drafts])) <= chunking.MAX_TOKENS


def test_chunking_is_deterministic():
    parsed = _parsed("chemistry-2e", "m91101")
    first = [d.text_hash for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens)]
    assert first == [d.text_hash for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens)]
