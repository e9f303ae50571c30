"""Scene → SlideSpec: the writer's optional teaching keys reach the slide, cleaned; a key idea is
derived from the narration when the writer gives none."""

from __future__ import annotations

import pytest

from content.models import Lesson, LessonScene
from content.pipeline.slide_specs import slide_spec

FACT = {"text": "A net force makes a mass accelerate.", "citation": "p1", "framing": False}
LONG_FACT = {"text": "When the forces acting on an object do not cancel out, there is a net force and the object "
                     "accelerates in the direction of that force.", "citation": "p1", "framing": False}
FRAME = {"text": "Picture a point guard on a fast break.", "citation": None, "framing": True}


@pytest.fixture
def lesson(mini_corpus):
    script = {"scenes": [
        {"kind": "hook"},
        {"kind": "explanation", "key_idea": "  Net force   makes mass accelerate ", "sketch": "Forces",
         "sketch_labels": ["right: Push 12 N", 7, None, "left: Friction 3 N"], "reaction": ["not", "text"],
         "example_lines": "m = 0.62 kg"},
        {"kind": "example", "example_lines": ["m = 0.62 kg", "F_net = 12 N", "a = 19.4 m/s^2"]},
    ]}
    return Lesson.objects.create(reuse_key="k" * 64, topic=mini_corpus.topic("m90201"), interest="Basketball",
                                 grade_band="9-10", generator_version="t", script=script)


def _scene(lesson, index, kind, sentences, bullets=("First point", "Second point")):
    return LessonScene.objects.create(lesson=lesson, index=index, kind=kind, title=f"Scene {index}",
                                      narration=" ".join(s["text"] for s in sentences), sentences=list(sentences),
                                      bullets=list(bullets))


def test_the_writers_teaching_keys_reach_the_slide_cleaned(lesson):
    scene = _scene(lesson, 2, "explanation", [FRAME, FACT])
    spec = slide_spec(lesson, scene, count=3, citation="Source: x")
    assert spec.key_idea == "Net force makes mass accelerate"
    assert spec.sketch == "forces"
    assert spec.sketch_labels == ("right: Push 12 N", "7", "left: Friction 3 N")
    assert spec.reaction == ""  # not text: ignored
    assert spec.example_lines == ()  # not a list: ignored
    assert spec.bullets == ["First point", "Second point"]  # the writer chose the key idea: bullets stay
    assert (spec.kind, spec.scene_index, spec.scene_count, spec.subject) == ("explanation", 1, 3, "physics")


def test_without_a_key_idea_the_first_short_fact_is_shown_once(lesson):
    example = slide_spec(lesson, _scene(lesson, 3, "example", [FRAME, LONG_FACT, FACT]), count=3, citation="")
    assert example.key_idea == "A net force makes a mass accelerate"  # short, factual, not framing
    assert example.example_lines == ("m = 0.62 kg", "F_net = 12 N", "a = 19.4 m/s^2")
    assert example.bullets == []
    hook = slide_spec(lesson, _scene(lesson, 1, "hook", [FRAME, FACT]), count=3, citation="")
    assert hook.key_idea == ""  # hooks keep their bullets and motif
    assert hook.bullets == ["First point", "Second point"]


def test_when_every_fact_is_long_the_shortest_that_fits_a_slide_is_the_key_idea(lesson):
    medium = {"text": "The acceleration of a system is directly proportional to the net external force acting "
                      "on it.", "citation": "p1", "framing": False}
    spec = slide_spec(lesson, _scene(lesson, 3, "example", [FRAME, LONG_FACT, medium]), count=3, citation="")
    assert spec.key_idea == medium["text"].rstrip(".")
