"""Process stage: collection and module parsing on the hand-written fixtures."""

import pytest

from ingestion import cnxml
from tests.support.corpus import MINI_CORPUS_DIR

PHYSICS = MINI_CORPUS_DIR / "physics"


def _module(book: str, module_id: str) -> dict:
    return cnxml.parse_module((MINI_CORPUS_DIR / book / "modules" / module_id / "index.cnxml").read_bytes())


def test_collection_gives_chapters_and_section_numbers():
    collection = cnxml.parse_collection((PHYSICS / "collections" / "physics.collection.xml").read_bytes())
    numbers = {m.module_id: (m.chapter_number, m.section_number, m.chapter_title) for m in collection.modules}
    assert numbers["m90100"] == (1, 0, "Forces and Newton's Laws of Motion")
    assert numbers["m90102"] == (1, 2, "Forces and Newton's Laws of Motion")
    assert numbers["m90201"] == (2, 1, "Work and Energy")


def test_biology_unit_is_not_a_chapter():
    path = MINI_CORPUS_DIR / "biology-2e" / "collections" / "biology-2e.collection.xml"
    collection = cnxml.parse_collection(path.read_bytes())
    assert {(m.chapter_number, m.chapter_title, m.unit_title) for m in collection.modules} == {
        (1, "Cell Structure and Energy", "The Cell")}


def test_physics_module_structure():
    parsed = _module("physics", "m90101")
    texts = " ".join(b["text"] for b in parsed["blocks"])
    assert parsed["title"] == "Newton's Second Law of Motion"
    assert parsed["objectives"] == ["Relate net force, mass and acceleration",
                                    "Use the second law to solve force problems"]
    assert "TEACHERONLY" not in texts  # os-teacher notes are not student text
    assert "object’s speed" in texts
    assert "\u0092" not in texts
    assert "a = (F_net)/(m)" in texts
    assert "10^3 newtons" in texts
    assert "m/s^2" in texts
    assert "Figure: Pushing a cart harder" in texts
    assert "arrows show the applied force" in texts
    assert "Watch Physics: A short video" in texts
    assert {"net force", "acceleration"} <= set(parsed["key_terms"])
    assert parsed["glossary"][0]["term"] == "net force"
    assert {tuple(b["path"]) for b in parsed["blocks"]} == {("Force, Mass and Acceleration",), ("Units of Force",)}


def test_exercises_become_practice_items():
    practice = {p["element_id"]: p for p in _module("physics", "m90101")["practice"]}
    assert set(practice) == {"ex-mc-1", "ex-cu-1"}  # the os-embed placeholder is skipped
    mc = practice["ex-mc-1"]
    assert mc["kind"] == "multiple_choice"
    assert mc["choices"] == ["It is halved.", "It doubles.", "It stays the same.", "It becomes zero."]
    assert mc["answer"] == "b"
    assert "It doubles" not in mc["problem"]
    assert practice["ex-cu-1"]["kind"] == "open"
    assert practice["ex-cu-1"]["solution"].startswith("The acceleration of a system")


def test_chemistry_math_abstract_and_example():
    parsed = _module("chemistry-2e", "m91101")
    texts = " ".join(b["text"] for b in parsed["blocks"])
    assert parsed["objectives"] == ["Explain the pH and pOH scales", "Calculate pH from the hydronium ion concentration"]
    assert "H3O^+" in texts
    assert "2H2O ⇌ H3O^+ + OH^−" in texts
    # an example's paragraph titles are set off from their text, never run into its first sentence
    assert "Calculating pH: A sample of lemon juice" in texts
    assert "Solution: The negative logarithm" in texts
    assert "Answer: pH = 3.00" in texts
    assert parsed["practice"][0]["kind"] == "problem"


def test_biology_equation_and_empty_section():
    parsed = _module("biology-2e", "m92102")
    texts = " ".join(b["text"] for b in parsed["blocks"])
    assert "6CO2 + 6H2O ⟶ C6H12O6 + 6O2" in texts
    assert all(b["path"] != ["Empty Subsection"] for b in parsed["blocks"])


@pytest.mark.parametrize(("data", "message"), [
    (b"<document xmlns='http://cnx.rice.edu/cnxml'><title>x</title><content><para>", "malformed XML"),
    (b"<document xmlns='http://cnx.rice.edu/cnxml'><title>caf\xe9 \xff</title><content/></document>",
     "malformed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b"<document xmlns='http://cnx.rice.edu/cnxml'><title>&b;</title><content/></document>", "malformed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b"<document xmlns='http://cnx.rice.edu/cnxml'><title>&x;</title><content/></document>", "malformed XML"),
    (b"<document xmlns='http://cnx.rice.edu/cnxml'><content/></document>", "no title"),
    (b"<other/>", "expected cnxml document"),
], ids=["unclosed", "non-utf8", "entity-expansion", "external-entity", "no-title", "wrong-root"])
def test_bad_modules_raise_clear_errors(data, message):
    with pytest.raises(cnxml.CnxmlError, match=message):
        cnxml.parse_module(data)
