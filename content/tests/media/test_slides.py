"""Local slide renderer and interest themes."""

from __future__ import annotations

import io
from dataclasses import fields

import pytest
from PIL import Image

from content.media import slides
from content.media.slides import LocalSlideRenderer, render_slide, wrap
from content.media.themes import FALLBACK_MOTIF, PALETTES, contrast_ratio, theme_for
from vividly.providers.base import ImageProvider, SlideSpec

CITATION = "Source: OpenStax College Physics 2e, 4.3 Newton's Second Law of Motion: Concept of a System · CC BY 4.0"


def spec(**overrides) -> SlideSpec:
    base = {"title": "Newton's second law on the court",
            "bullets": ["A net force makes a mass accelerate.", "Double the force, double the acceleration.",
                        "A heavier ball needs more force."],
            "equation": "F_net = m × a", "citation": CITATION, "interest": "basketball",
            "scene_index": 2, "scene_count": 6}
    return SlideSpec(**{**base, **overrides})


def test_renders_a_1280x720_png_and_satisfies_the_image_provider_contract():
    renderer = LocalSlideRenderer()
    assert isinstance(renderer, ImageProvider)
    image = renderer.render(spec())
    with Image.open(io.BytesIO(image.png)) as png:
        assert (png.format, png.size) == ("PNG", (1280, 720))
    assert (image.width, image.height) == (1280, 720)
    assert (image.usage.provider, image.usage.images) == ("local_slides", 1)


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


def test_fonts_are_phone_legible():
    assert min(slides.TITLE_SIZES) >= 48
    assert min(slides.BODY_SIZES) >= 32


def test_text_pixels_use_the_theme_text_colour_on_the_panel():
    # the key points are drawn in the theme's text colour (contrast checked above)
    image = render_slide(spec(equation=None))
    pal = theme_for("basketball").palette
    panel_region = image.crop((100, 230, 880, 420))
    colours = {c for _, c in panel_region.getcolors(maxcolors=100000)}
    assert pal.text in colours
    assert pal.panel in colours


def test_long_content_is_fitted_not_overflowing():
    long = "Momentum is conserved in every collision between players when no external force acts " * 3
    image = render_slide(spec(title="A very long title " * 8, bullets=[long] * 6, equation="p = m·v " * 12))
    assert image.size == (1280, 720)
    footer = image.crop((0, 660, 1280, 720))
    pal = theme_for("basketball").palette
    assert pal.footer_bg in {c for _, c in footer.getcolors(maxcolors=100000)}


def test_long_citation_keeps_its_licence():
    text = slides._fit_citation(CITATION * 2, 700)
    assert text.endswith("· CC BY 4.0")
    assert slides.font("regular", slides.FOOTER_SIZE).getlength(text) <= 700


def test_wrap_respects_pixel_width_and_splits_overlong_words():
    fnt = slides.font("regular", 32)
    lines = wrap("supercalifragilisticexpialidocious " * 3 + "x" * 200, fnt, 400)
    assert all(fnt.getlength(line) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == ("supercalifragilisticexpialidocious" * 3 + "x" * 200)


def test_visual_description_is_shown_when_there_are_no_bullets():
    with_desc = render_slide(spec(bullets=[], equation=None, visual_description="A ball arcs toward the hoop."))
    empty = render_slide(spec(bullets=[], equation=None))
    assert with_desc.tobytes() != empty.tobytes()
