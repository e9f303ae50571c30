"""Chunk stage: window-sized, section-bounded chunks with stable anchors; what is (not) indexed."""


from ingestion import chunking, cnxml
from tests.support.corpus import MINI_CORPUS_DIR
from vividly.providers.onnx_embeddings import OnnxMiniLMEmbeddings

TOKENIZER = OnnxMiniLMEmbeddings()  # its tokenizer only: no model is loaded


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


def test_huge_paragraph_is_split_to_fit_the_window_without_repeating_text():
    sentences = [f"Sentence number {i} talks about electric charge and current in a long wire." for i in range(600)]
    parsed = {"module_id": "m1", "title": "Huge", "objectives": [], "key_terms": [], "glossary": [],
              "blocks": [{"text": " ".join(sentences), "path": [], "id": "p1", "kind": "text"}]}
    drafts = [d for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens) if d.kind == "text"]
    sizes = TOKENIZER.count_tokens([d.embed_text for d in drafts])
    assert len(drafts) > 20
    assert max(sizes) <= chunking.MAX_TOKENS
    assert min(sizes[:-1]) > chunking.MAX_TOKENS * 0.6  # packed close to the window, not one sentence each
    joined = " ".join(d.text for d in drafts)
    assert joined == " ".join(sentences)  # every sentence once, in order: no overlap is embedded twice


def test_figures_are_left_out_and_glossary_is_packed_per_section():
    drafts = chunking.chunk_module(_parsed("physics", "m90101"), count=TOKENIZER.count_tokens)
    assert not any("shopping cart is pushed" in d.text for d in drafts)
    glossary = [d for d in drafts if d.kind == "glossary"]
    assert len(glossary) == 1
    assert glossary[0].text.startswith("net force: the vector sum of all forces acting on an object; ")
    assert glossary[0].embed_text.startswith("Newton's Second Law of Motion > Glossary: ")


def test_only_indexable_review_questions_become_practice_chunks():
    parsed = _parsed("physics", "m90101")
    practice = [d for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens) if d.kind == chunking.PRACTICE]
    indexable = {i["element_id"] for i in parsed["practice"]
                 if chunking.practice_split(parsed["module_id"], i["element_id"]) == "index"
                 or i["section_class"] == "in-text"}
    assert {d.anchor.split("#")[1] for d in practice} == indexable
    assert all(d.embed_text.startswith("Newton's Second Law of Motion > Review question: ") for d in practice)
    # the split is stable and three-way
    splits = [chunking.practice_split("m1", f"ex-{i}") for i in range(2000)]
    assert splits == [chunking.practice_split("m1", f"ex-{i}") for i in range(2000)]
    shares = {name: splits.count(name) / len(splits) for name in ("heldout", "dev", "index")}
    assert abs(shares["heldout"] - 0.3) < 0.04
    assert abs(shares["dev"] - 0.2) < 0.04


def test_huge_sentence_without_punctuation_is_split_by_words():
    parsed = {"module_id": "m2", "title": "Run-on", "objectives": [], "key_terms": [], "glossary": [],
              "blocks": [{"text": "word " * 3000, "path": ["A"], "id": "p", "kind": "text"}]}
    drafts = chunking.chunk_module(parsed, count=TOKENIZER.count_tokens)
    assert max(TOKENIZER.count_tokens([d.embed_text for d in drafts])) <= chunking.MAX_TOKENS


def test_chunking_is_deterministic():
    parsed = _parsed("chemistry-2e", "m91101")
    first = [d.text_hash for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens)]
    assert first == [d.text_hash for d in chunking.chunk_module(parsed, count=TOKENIZER.count_tokens)]
