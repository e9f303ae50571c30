"""The local writer fills the slide keys (issue 18, item 6): a rendered lesson's slide specs carry each
explanation's one idea, the worked example's computed numbers, a sketch chosen by idea family with
labels from the example or the narration, and the section's chemical equation — on the real mini corpus."""

from __future__ import annotations

import re

import pytest

from content import services
from content.media.slides import LocalSlideRenderer, layout_slide
from content.models import Lesson, LessonScene
from content.pipeline import state
from content.pipeline.slide_specs import slide_spec
from content.pipeline.stages import run_script
from content.pipeline.understand import understand
from content.writers import SourcePassage
from content.writers.local import EXAMPLE_IDEA_WORDS
from content.writers.slide_keys import (
    KEY_IDEA_WORDS,
    find_reaction,
    reactions_in,
    short_phrase,
    sketch_name,
    worked_sketch,
)
from content.writers.worked import RELATIONSHIPS, THINGS, worked_example
from vividly.providers.base import SlideSpec

pytestmark = pytest.mark.django_db


def _written(student, topic, question, interest, *, full: bool = False) -> Lesson:
    """A lesson written for a student's question: scripted (scenes stored), or with `full` through the
    whole pipeline (narrated, slides rendered, composed)."""
    request, _ = services.create_lesson_request(student=student, question=question, interest=interest,
                                                topic_id=topic.pk, enforce_quota=False, enqueue=False)
    if full:
        request = services.run_request_inline(request_id=request.pk)
        assert request.lesson.stage == Lesson.Stage.READY
        assert all(scene.image_path for scene in request.lesson.scenes.all())
        return request.lesson
    token = state.INLINE.set(True)
    try:
        understand(request.pk)
        request.refresh_from_db()
        run_script(request.lesson_id)
    finally:
        state.INLINE.reset(token)
    return Lesson.objects.get(pk=request.lesson_id)


def _specs(lesson: Lesson):
    scenes = list(lesson.scenes.order_by("index"))
    return [(scene, slide_spec(lesson, scene, count=len(scenes), citation="")) for scene in scenes]


def _value(lines, symbol: str) -> float:
    line = next(line for line in lines if line.split("=", 1)[0].strip() == symbol)
    return float(re.search(r"=\s*([\d.,]+)", line).group(1).replace(",", ""))


def _one_idea_of(scene: LessonScene, idea: str) -> bool:
    """The key idea is short and is (the start of) one of the scene's own factual sentences."""
    words = idea.rstrip("…").split()
    facts = [s["text"] for s in scene.sentences if not s["framing"]]
    return 3 <= len(words) <= KEY_IDEA_WORDS and any(" ".join(words[1:]) in fact for fact in facts)


def test_a_rendered_physics_lesson_carries_its_idea_numbers_and_force_sketch(mini_corpus, student):
    lesson = _written(student, mini_corpus.topic("m90101"), "Why does a harder push make a ball speed up faster?",
                      "basketball", full=True)
    specs = _specs(lesson)
    explanation = next(spec for scene, spec in specs if scene.kind == "explanation")
    scene = next(scene for scene, _ in specs if scene.kind == "explanation")
    # each explanation slide shows its narration's one idea, as a short phrase from its own sentences
    assert _one_idea_of(scene, explanation.key_idea), explanation.key_idea
    assert explanation.sketch == "forces"
    # the worked example's numbers reach the slide one step a line, computed (a = F_net / m)
    example = next(spec for scene, spec in specs if scene.kind == "example")
    assert example.example_lines[0].startswith("m = 0.62 kg")
    mass, force = _value(example.example_lines, "m"), _value(example.example_lines, "F_net")
    result = float(re.search(r"≈\s*([\d.]+)", example.example_lines[-1]).group(1))
    assert result == pytest.approx(force / mass, rel=0.05)
    assert example.key_idea.lower().startswith("acceleration equals net force divided by mass")
    # and its force sketch is labelled with the example's net force on the student's ball
    assert example.sketch == "forces"
    assert f"right: Force {force:g} N" in example.sketch_labels
    assert "basketball" in example.sketch_labels
    layout = layout_slide(example)
    assert layout.sketch == "forces"
    labels = [" ".join(box.lines) for box in layout.role("label")]
    assert labels == [f"Force {force:g}\xa0N", "basketball"]  # drawn whole, none cut short
    # the recap's slide shows the answer's idea too; hook and check keep their bullets
    recap_scene, recap = next((scene, spec) for scene, spec in specs if scene.kind == "recap")
    assert _one_idea_of(recap_scene, recap.key_idea)
    assert all(spec.bullets for scene, spec in specs if scene.kind in ("hook", "check"))


def test_a_biology_lesson_shows_the_sections_reaction_typeset(mini_corpus, student):
    lesson = _written(student, mini_corpus.topic("m92102"), "How do plants make sugar out of air and water?",
                      "cooking")
    scene, spec = next((scene, spec) for scene, spec in _specs(lesson) if scene.kind == "explanation")
    assert _one_idea_of(scene, spec.key_idea), spec.key_idea
    assert spec.sketch == "reaction"
    assert spec.reaction == "6CO2 + 6H2O ⟶ C6H12O6 + 6O2"  # as the section states it
    layout = layout_slide(spec)
    assert " ".join(row for box in layout.role("reaction") for row in box.lines) == spec.reaction
    assert LocalSlideRenderer().render(spec).png.startswith(b"\x89PNG")


def test_a_cell_lesson_labels_the_parts_its_narration_names(mini_corpus, student):
    lesson = _written(student, mini_corpus.topic("m92101"), "What does the cell membrane let into a cell?",
                      "music")
    scene, spec = next((scene, spec) for scene, spec in _specs(lesson) if scene.kind == "explanation")
    assert spec.sketch == "cell"
    assert "cell membrane" in spec.sketch_labels
    named = scene.narration.lower() + " cell membranes"
    assert all(label.split()[-1][:6] in named for label in spec.sketch_labels)


def _passage(pid: str, text: str, kind: str = "text") -> SourcePassage:
    return SourcePassage(id=pid, topic_id=1, module_id="m1", text=text, kind=kind)


def test_only_whole_chemical_equations_count_as_reactions():
    assert reactions_in("Water ionizes slightly: 2H2O(l) ⇌ H3O^+(aq) + OH^−(aq) K_w = [H3O^+][OH^−].") == [
        "2H2O(l) ⇌ H3O^+(aq) + OH^−(aq)"]
    assert reactions_in("Copper dissolves: Cu(s) ⟶ Cu^2+(aq) + 2e^−") == ["Cu(s) ⟶ Cu^2+(aq) + 2e^−"]
    assert reactions_in("For the reaction aA + bB ⇌ cC + dD the quotient is") == []  # a general form
    assert reactions_in("Cs(s) + (1)/(2)F2(g) ⟶ CsF(s)") == []  # would be cut at the fraction
    assert reactions_in("Cu(s) + 2AgNO3(aq) ⟶ Cu (NO3)2(aq) + 2Ag(s)") == []  # would be cut mid-species
    assert reactions_in("the force F ⟶ A as t grows") == []
    # the equation in the passages the lesson cites comes first, glossary entries never
    cited = [_passage("p2", "Glucose burns: C6H12O6 + 6O2 ⟶ 6CO2 + 6H2O"), _passage("g1", "H2 + Cl2 ⟶ 2HCl", "glossary")]
    section = [_passage("p1", "Hydrogen burns: 2H2 + O2 ⟶ 2H2O"), *cited]
    assert find_reaction(cited, section) == "C6H12O6 + 6O2 ⟶ 6CO2 + 6H2O"
    assert find_reaction([], section) == "2H2 + O2 ⟶ 2H2O"
    assert find_reaction([], [section[2]]) == ""


def test_every_worked_example_slide_shows_its_numbers_and_labels_whole():
    # every world's sketch object is a short name (its label has one line)
    assert all(len(sketch_name(things.obj)) <= 16 for things in THINGS.values())
    longest = max(THINGS, key=lambda slug: len(sketch_name(THINGS[slug].obj)))
    slugs = sorted(THINGS)
    for i, relationship in enumerate(RELATIONSHIPS):  # each relationship in two worlds (laying out is slow)
        for slug in {slugs[i % len(slugs)], longest}:
            worked = worked_example(relationship.key, world_slug=slug, who="someone", place="here", interest=slug)
            drawn = worked_sketch(worked, sketch_name(THINGS[slug].obj))
            spec = SlideSpec(title=f"{worked.title} in {slug}", kind="example", equation=worked.equation,
                             key_idea=short_phrase(worked.spoken_rule, limit=EXAMPLE_IDEA_WORDS),
                             example_lines=(*worked.givens, worked.result), sketch=drawn.kind if drawn else "none",
                             sketch_labels=drawn.labels if drawn else ())
            layout = layout_slide(spec)
            assert layout.role("result"), (slug, relationship.key)  # the computed result is always shown
            cut = [box.lines for box in layout.texts if any(line.endswith("…") for line in box.lines)]
            assert not cut, (slug, relationship.key, cut)
