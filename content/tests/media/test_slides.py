"""Local slide renderer: teaching layout (key idea, typeset equation, worked example, labelled sketch),
legibility on a 360 px phone and contrast, rendered pixels where the layout says, and themes."""

from __future__ import annotations

import io
import itertools
from dataclasses import fields

import numpy as np
import pytest
from PIL import Image

from content.media import slides
from content.media.mathtext import formula_mathtext, to_mathtext
from content.media.slides import LocalSlideRenderer, layout_slide, render_slide
from content.media.themes import FALLBACK_MOTIF, PALETTES, contrast_ratio, theme_for
from content.media.typography import (
    HEIGHT,
    MIN_PHONE_FOOTNOTE_PX,
    MIN_PHONE_TEXT_PX,
    WIDTH,
    font,
    phone_px,
    wrap,
)
from vividly.providers.base import ImageProvider, SlideSpec

CITATION = "Source: College Physics 2e, 4.3 Newton's Second Law of Motion: Concept of a System (OpenStax, CC BY 4.0)"


def spec(**overrides) -> SlideSpec:
    base = {"title": "Newton's second law on the court", "kind": "explanation",
            "key_idea": "A net force makes a mass accelerate", "equation": "a = (F_net)/(m)",
            "sketch": "forces", "sketch_labels": ("right: Push 12 N", "left: Friction 3 N", "basketball"),
            "citation": CITATION, "interest": "basketball", "subject": "physics", "scene_index": 2, "scene_count": 7}
    return SlideSpec(**{**base, **overrides})


EXAMPLE = spec(title="A fast break in numbers", kind="example", key_idea="Push a 0.62 kg ball with 12 N",
               equation=None, example_lines=("m = 0.62 kg", "F_net = 12 N", "a = F_net / m = 12 N / 0.62 kg = 19.4 m/s^2"))
WAVE = spec(title="Sound is a wave", key_idea="Wavelength is the distance from crest to crest", equation="v = fλ",
            sketch="wave", sketch_labels=("wavelength λ", "amplitude"), interest="music")
CELL = spec(title="Inside a cell", key_idea="Mitochondria release energy from food", equation=None, sketch="cell",
            sketch_labels=("nucleus", "mitochondrion", "cell membrane"), interest="cooking", subject="biology")
REACTION = spec(title="Burning hydrogen", key_idea="Hydrogen and oxygen react to make water", equation=None,
                sketch="", sketch_labels=(), reaction="2H2 + O2 -> 2H2O", interest="video-games", subject="chemistry")
RECAP = spec(title="Recap", kind="recap", key_idea="", equation=None, sketch="",
             bullets=["A net force makes a mass accelerate.", "Double the force, double the acceleration.",
                      "A heavier ball needs more force."])
ALL = {"forces": spec(), "example": EXAMPLE, "wave": WAVE, "cell": CELL, "reaction": REACTION, "recap": RECAP}


def _inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_renders_a_1280x720_png_and_satisfies_the_image_provider_contract():
    renderer = LocalSlideRenderer()
    assert isinstance(renderer, ImageProvider)
    image = renderer.render(spec())
    with Image.open(io.BytesIO(image.png)) as png:
        assert (png.format, png.size) == ("PNG", (1280, 720))
    assert (image.width, image.height) == (1280, 720)
    assert (image.usage.provider, image.usage.images) == ("local_slides", 1)


def test_an_explanation_slide_shows_its_idea_equation_labelled_sketch_and_citation():
    layout = layout_slide(spec())
    assert layout.sketch == "forces"
    assert layout.role("key_idea")[0].text == "A net force makes a mass accelerate"
    (equation,) = layout.role("equation")
    assert equation.kind == "math"
    assert equation.lines == ("a = (F_net)/(m)",)
    labels = [label.text.replace("\u00a0", " ") for label in layout.role("label")]
    assert labels == ["Push 12 N", "Friction 3 N", "basketball"]
    assert layout.role("citation")[0].text.endswith("(OpenStax, CC BY 4.0)")
    assert layout.motif_box is None  # the sketch takes the visual column


def test_the_worked_example_shows_its_numbers_with_the_result_highlighted():
    layout = layout_slide(EXAMPLE)
    assert [t.text for t in layout.role("example")] == ["m = 0.62 kg", "F_net = 12 N"]
    (result,) = layout.role("result")
    assert result.lines[-1].endswith("19.4 m/s^2")  # too wide for one row: broken before each '='
    assert len(result.lines) >= 2
    assert any(_inside(result.box, box) for box, _ in layout.boxed)


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_text_box_is_legible_on_a_360px_phone_fits_and_does_not_overlap(name):
    layout = layout_slide(ALL[name])
    canvas = (0, 0, WIDTH, HEIGHT)
    texts = layout.texts
    assert texts
    for text in texts:
        minimum = MIN_PHONE_FOOTNOTE_PX if text.role == "citation" else MIN_PHONE_TEXT_PX
        assert phone_px(text.size) >= minimum, (text.role, text.size)
        assert _inside(text.box, canvas), text
        assert contrast_ratio(text.fill, text.background) >= 4.5, text
        if text.kind in ("regular", "bold"):
            fnt = font(text.kind, text.size)
            assert all(fnt.getlength(line) <= text.box[2] - text.box[0] + 1 for line in text.lines), text
    for a, b in itertools.combinations([t for t in texts if t.role != "title"], 2):
        assert not _overlap(a.box, b.box), (a, b)
    # content sits on its panels, above the footer
    panels = [box for box, _ in layout.panels]
    for text in texts:
        if text.role not in ("title", "citation"):
            assert any(_inside(text.box, panel) for panel in panels), text


@pytest.mark.parametrize("name", ["forces", "example", "reaction"])
def test_rendered_pixels_match_the_layout(name):
    image = np.asarray(render_slide(ALL[name]).convert("RGB")).astype(int)
    layout = layout_slide(ALL[name])
    for text in layout.texts:
        x0, y0, x1, y1 = text.box
        region = image[y0:y1, x0:x1]
        ink = np.abs(region - np.array(text.fill)).sum(axis=2) < 60
        assert ink.mean() > 0.03, (text.role, text.text)  # the text (or typeset maths) was drawn there
        background = np.abs(region - np.array(text.background)).sum(axis=2) < 30
        assert background.mean() > 0.25, (text.role, text.text)  # on the background the contrast assumed


def test_a_lesson_never_overflows_whatever_the_writer_sends():
    long = "Momentum is conserved in every collision between players when no external force acts " * 3
    crowded = spec(title="A very long title " * 8, key_idea=long, bullets=[long] * 6, equation="p = m·v " * 12,
                   example_lines=tuple(f"x_{i} = {i} m/s" for i in range(9)), sketch_labels=(f"up: {long}",))
    layout = layout_slide(crowded)
    for text in layout.texts:
        assert _inside(text.box, (0, 0, WIDTH, HEIGHT - (0 if text.role == "citation" else slides.FOOTER_H)))
        assert phone_px(text.size) >= MIN_PHONE_FOOTNOTE_PX
    assert render_slide(crowded).size == (1280, 720)


def test_equations_and_formulas_are_typeset_properly():
    assert to_mathtext("F_net = m × a") == r"$F_{\mathrm{net}}\ =\ m\ \times\ a$"
    assert to_mathtext("a = (F_net)/(m)") == r"$a\ =\ \frac{F_{\mathrm{net}}}{m}$"
    assert r"\mathrm{H_{3}O}^{+}" in to_mathtext("K_a = ([H3O^+][A^−])/([HA])")
    assert to_mathtext("g = 9.81 m/s^2") == r"$g\ =\ 9.81\ \mathrm{m}/\mathrm{s}^{2}$"
    assert formula_mathtext("2H2 + O2 -> 2H2O") == (
        r"$2\mathrm{H_{2}}\ +\ \mathrm{O_{2}}\ \rightarrow\ 2\mathrm{H_{2}O}$")
    assert formula_mathtext("N2 + 3H2 <=> 2NH3").count(r"\rightleftharpoons") == 1
    assert r"\mathrm{SO_{4}^{2-}}" in formula_mathtext("SO4^2-")


def test_a_subscript_sits_lower_and_smaller_than_its_formula():
    from content.media.mathtext import render_math

    plain, subscripted = render_math(r"$\mathrm{H2O}$", 60, (0, 0, 0)), render_math(r"$\mathrm{H_{2}O}$", 60, (0, 0, 0))
    assert subscripted.height > plain.height  # the 2 drops below the baseline
    assert subscripted.width < plain.width  # and is set smaller


@pytest.mark.parametrize(("words", "kind", "subject", "expected"), [
    ("How friction slows a sliding puck", "explanation", "physics", "forces"),
    ("Sound travels as a wave", "explanation", "physics", "wave"),
    ("What mitochondria do in a cell", "explanation", "biology", "cell"),
    ("Electrons fill shells around the nucleus of an atom", "explanation", "chemistry", "atom"),
    ("Photosynthesis stores energy", "explanation", "biology", ""),
    ("Friction on the court", "hook", "physics", ""),  # hooks keep the interest's motif
])
def test_a_sketch_is_chosen_from_the_scene_words_when_the_writer_names_none(words, kind, subject, expected):
    assert slides.sketch_for(SlideSpec(title=words, kind=kind, subject=subject)) == expected


def test_the_writer_can_turn_the_sketch_off():
    assert layout_slide(spec(sketch="none")).sketch == ""
    assert layout_slide(spec(sketch="none")).motif_box is not None


def test_rendering_is_deterministic_and_themed_by_interest():
    renderer = LocalSlideRenderer()
    assert renderer.render(spec()).png == renderer.render(spec()).png
    assert renderer.render(spec()).png != renderer.render(spec(interest="music")).png


@pytest.mark.parametrize(("interest", "motif"), [
    ("basketball", "court"), ("Basketball", "court"), ("music", "notes"), ("video-games", "pixels"),
    ("Video Games", "pixels"), ("space", "stars"), ("biology", "leaves"), ("robotics", "gears"),
    ("coding", "code"), ("photography", "lens"), ("cooking", "kitchen"), ("soccer", "field"),
    ("medieval history", FALLBACK_MOTIF), ("", FALLBACK_MOTIF),
])
def test_interest_maps_to_motif(interest, motif):
    assert theme_for(interest).motif == motif


@pytest.mark.parametrize("motif", sorted(PALETTES))
def test_every_palette_keeps_text_contrast_at_least_4_5(motif):
    pal = PALETTES[motif]
    pairs = [(pal.title, pal.background), (pal.text, pal.panel), (pal.text, pal.background),
             (pal.equation_text, pal.equation_bg), (pal.footer_text, pal.footer_bg)]
    for foreground, background in pairs:
        assert contrast_ratio(foreground, background) >= 4.5, (motif, foreground, background)


def test_every_motif_has_a_drawing():
    assert set(PALETTES) == set(slides.MOTIFS)
    assert {f.name for f in fields(PALETTES["court"])} >= {"background", "text", "accent"}


def test_long_citation_keeps_its_licence():
    text = slides._fit_citation(CITATION * 2, 700)
    assert text.endswith("(OpenStax, CC BY 4.0)")
    assert font("regular", slides.FOOTER_SIZE).getlength(text) <= 700
    assert slides._fit_citation("A " + "x" * 300 + " · CC BY 4.0", 500).endswith("… · CC BY 4.0")


def test_wrap_respects_pixel_width_and_splits_overlong_words():
    fnt = font("regular", 32)
    lines = wrap("supercalifragilisticexpialidocious " * 3 + "x" * 200, fnt, 400)
    assert all(fnt.getlength(line) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == ("supercalifragilisticexpialidocious" * 3 + "x" * 200)


def test_visual_description_is_shown_when_there_is_nothing_else():
    bare = spec(key_idea="", bullets=[], equation=None, sketch="none")
    assert layout_slide(SlideSpec(**{**bare.__dict__, "visual_description": "A ball arcs toward the hoop."})).role(
        "point")[0].text == "A ball arcs toward the hoop."
    assert layout_slide(bare).role("point") == []
