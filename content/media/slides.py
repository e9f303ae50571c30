"""Local slide renderer: one 1280×720 PNG per scene, drawn with Pillow (the offline default).

Each slide teaches one idea, legible on a 360 px wide phone: the title, the narration's key idea as
a short phrase, the equation typeset (matplotlib mathtext: subscripts, fractions, roots), the worked
example's numbers with the result highlighted, and beside them a labelled sketch (forces on an
object, a wave, a cell, an atom, a reaction) or, when no sketch fits, the interest's motif; a
citation footer with progress dots. `layout_slide` computes every text box first (sizes, places,
colours), so tests check the layout model; `render_slide` draws it. Deterministic for a SlideSpec.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from vividly.providers.base import RenderedImage, SlideSpec, Usage

from .mathtext import typeset
from .sketches import SKETCHES, infer_sketch, sketch
from .themes import RGB, Palette, Theme, theme_for
from .typography import (
    HEIGHT,
    MIN_FOOTNOTE,
    MIN_TEXT,
    WIDTH,
    TextBox,
    ellipsize,
    font,
    line_height,
    text_box,
    wrap,
)

MARGIN = 40
FOOTER_H = 72
TITLE_SIZES = (64, 58, 52)
KEY_SIZES = (60, 56, 52, 48, MIN_TEXT + 1)
BODY_SIZES = (52, 50, 48, 46, MIN_TEXT + 1)
MATH_SIZES = (64, 58, 52, 48, MIN_TEXT + 1)
FOOTER_SIZE = MIN_FOOTNOTE
MAX_POINTS = 3
MOTIF_BOX = (920, 196, 1240, 640)  # right column, never behind text
SKETCH_LEFT = 668  # the sketch panel's left edge when a sketch is shown
BLOCK_GAP = 22
MATH_PAD = 14
_INK = (0, 0, 0)

__all__ = ["LocalSlideRenderer", "SlideLayout", "font", "layout_slide", "render_slide", "wrap"]


class LocalSlideRenderer:
    """ImageProvider drawing themed slides with Pillow; costs nothing."""

    name = "local_slides"

    def __init__(self, *, compress_level: int = 3) -> None:
        self.compress_level = compress_level

    def render(self, spec: SlideSpec) -> RenderedImage:
        """A 1280x720 PNG for the scene."""
        image = render_slide(spec)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=self.compress_level)
        return RenderedImage(png=buffer.getvalue(), width=WIDTH, height=HEIGHT,
                             usage=Usage(provider=self.name, images=1))


@dataclass
class SlideLayout:
    """Where everything on a slide goes (pixels on the 1280×720 slide)."""

    theme: Theme
    texts: list[TextBox] = field(default_factory=list)
    panels: list[tuple[tuple[int, int, int, int], RGB]] = field(default_factory=list)
    boxed: list[tuple[tuple[int, int, int, int], RGB]] = field(default_factory=list)  # highlighted maths
    bullets: list[tuple[int, int, int]] = field(default_factory=list)  # (x, y, radius) dots before points
    sketch: str = ""
    sketch_box: tuple[int, int, int, int] | None = None
    motif_box: tuple[int, int, int, int] | None = None
    accent_bar: tuple[int, int, int, int] = (0, 0, 0, 0)

    def role(self, name: str) -> list[TextBox]:
        return [t for t in self.texts if t.role == name]


def sketch_for(spec: SlideSpec) -> str:
    """The spec's sketch, or one chosen from its words when it names none ("none" turns it off)."""
    chosen = (spec.sketch or "").strip().lower()
    if chosen == "none":
        return ""
    if chosen in SKETCHES:
        return chosen if chosen != "reaction" or spec.reaction.strip() else ""
    return infer_sketch(kind=spec.kind, subject=spec.subject, reaction=spec.reaction,
                        texts=[spec.title, spec.key_idea, spec.equation or "", spec.visual_description, *spec.bullets])


# --- layout ----------------------------------------------------------------------------------

@dataclass
class _Block:
    role: str
    text: str
    kind: str  # "key", "point", "math"
    boxed: bool = False


def _math_rows(text: str, size: int, width: int) -> list[str] | None:
    """The equation on one row, or broken before each '=' when too wide; None if a row still is."""
    if typeset(text, size, _INK).width <= width:
        return [text]
    parts = [p.strip() for p in re.split(r"\s=\s", text) if p.strip()]
    if len(parts) < 2:
        return None
    rows = [f"{parts[0]} = {parts[1]}", *(f"= {p}" for p in parts[2:])]
    if any(typeset(r, size, _INK).width > width for r in rows):
        rows = [f"{parts[0]} =", *(f"= {p}" for p in parts[1:])]
        rows[1] = rows[1].removeprefix("= ")
    return rows if all(typeset(r, size, _INK).width <= width for r in rows) else None


def _place(block: _Block, level: int, x: int, y: int, *, width: int, pal: Palette) -> TextBox:
    """The text box for a block at a size level (math that cannot fit is set as plain text)."""
    if block.kind == "key":
        return text_box(block.role, block.text, size=KEY_SIZES[level], kind="bold", width=width, x=x, y=y,
                        fill=pal.text, background=pal.panel, max_lines=5)
    if block.kind == "point":
        indent = 34
        return text_box(block.role, block.text, size=BODY_SIZES[level], kind="regular", width=width - indent,
                        x=x + indent, y=y, fill=pal.text, background=pal.panel, max_lines=2)
    size = MATH_SIZES[level]
    inner = width - (2 * MATH_PAD if block.boxed else 0)
    rows = _math_rows(block.text, size, inner)
    fill, background = (pal.equation_text, pal.equation_bg) if block.boxed else (pal.text, pal.panel)
    if rows is None:  # no typesetting fits: the plain text, wrapped, never smaller than MIN_TEXT
        return text_box(block.role, block.text, size=BODY_SIZES[level], kind="regular", width=inner,
                        x=x + (MATH_PAD if block.boxed else 0), y=y + (MATH_PAD if block.boxed else 0),
                        fill=fill, background=background, max_lines=3)
    images = [typeset(r, size, fill) for r in rows]
    used = max(im.width for im in images)
    height = sum(im.height for im in images) + 8 * (len(images) - 1)
    left = x + (MATH_PAD + (inner - used) // 2 if block.boxed else 0)
    top = y + (MATH_PAD if block.boxed else 0)
    return TextBox(block.role, tuple(rows), size, (left, top, left + used, top + height), fill, background, "math",
                   "centre" if block.boxed else "left")


def _outer(box: TextBox, block: _Block, x: int, width: int) -> tuple[int, int, int, int]:
    """The space a placed block takes (its highlight box for boxed maths)."""
    if block.boxed:
        return (x, box.box[1] - MATH_PAD, x + width, box.box[3] + MATH_PAD)
    return (x, box.box[1], x + width, box.box[3])


def _blocks(spec: SlideSpec) -> list[_Block]:
    """The key idea, equation, worked-example lines and (when there is room in the idea) points."""
    key = " ".join(spec.key_idea.split())
    points = [" ".join(b.split()) for b in spec.bullets if b and b.strip()]
    example = [" ".join(line.split()) for line in spec.example_lines if line and line.strip()]
    equation = " ".join((spec.equation or "").split())
    blocks: list[_Block] = []
    if key:
        blocks.append(_Block("key_idea", key, "key"))
    if equation:
        blocks.append(_Block("equation", equation, "math", boxed=True))
    for i, line in enumerate(example):
        last = i == len(example) - 1
        blocks.append(_Block("result" if last else "example", line, "math", boxed=last))
    show_points = not key or (not equation and not example)
    if show_points:
        limit = MAX_POINTS if not key else 2
        blocks += [_Block("point", p, "point") for p in points[:limit]]
    if not blocks and spec.visual_description.strip():
        blocks.append(_Block("point", " ".join(spec.visual_description.split()), "point"))
    return blocks


def _fit(blocks: list[_Block], area: tuple[int, int, int, int], pal: Palette) -> list[tuple[_Block, TextBox]]:
    """Place blocks top to bottom at the largest size level where all fit; drop the least needed if none."""
    left, top, right, bottom = area
    width = right - left
    blocks = list(blocks)
    while True:
        for level in range(len(KEY_SIZES)):
            placed, y = [], top
            cut = False
            for block in blocks:
                box = _place(block, level, left, y, width=width, pal=pal)
                cut = cut or (box.lines[-1].endswith("…") and not block.text.endswith("…"))
                placed.append((block, box))
                y = _outer(box, block, left, width)[3] + BLOCK_GAP
            if y - BLOCK_GAP <= bottom and (not cut or level == len(KEY_SIZES) - 1):
                return placed
        droppable = ([i for i, b in enumerate(blocks) if b.kind == "point"][-1:]
                     or [i for i, b in enumerate(blocks) if b.role == "equation" and any(
                         o.role == "result" for o in blocks)]
                     or [i for i, b in enumerate(blocks) if b.role == "example"][:1])
        if droppable:
            blocks.pop(droppable[0])
            continue
        return _clamped(blocks, area, pal)


def _clamped(blocks: list[_Block], area: tuple[int, int, int, int], pal: Palette) -> list[tuple[_Block, TextBox]]:
    """Last resort at the smallest sizes: the key idea cut to the lines that fit, then the rest."""
    left, top, right, bottom = area
    level = len(KEY_SIZES) - 1
    rest = 0  # the height everything but the key idea needs
    for block in blocks:
        if block.kind != "key":
            outer = _outer(_place(block, level, left, top, width=right - left, pal=pal), block, left, right - left)
            rest += outer[3] - outer[1] + BLOCK_GAP
    placed, y = [], top
    for block in blocks:
        if block.kind == "key":
            size = KEY_SIZES[level]
            lines = max(1, (bottom - top - rest) // line_height(size))
            box = text_box(block.role, block.text, size=size, kind="bold", width=right - left, x=left, y=y,
                           fill=pal.text, background=pal.panel, max_lines=lines)
        else:
            box = _place(block, level, left, y, width=right - left, pal=pal)
        placed.append((block, box))
        y = _outer(box, block, left, right - left)[3] + BLOCK_GAP
    return placed


def layout_slide(spec: SlideSpec) -> SlideLayout:
    """Compute every panel and text box of the slide for a spec."""
    theme = theme_for(spec.interest or spec.subject)
    pal = theme.palette
    layout = SlideLayout(theme=theme)

    title_width = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        title = text_box("title", spec.title.strip() or " ", size=size, kind="bold", width=title_width, x=MARGIN,
                         y=26, fill=pal.title, background=pal.background, max_lines=2)
        if not title.lines[-1].endswith("…"):
            break
    layout.texts.append(title)
    layout.accent_bar = (MARGIN, title.box[3] + 4, MARGIN + 140, title.box[3] + 12)
    content_top, content_bottom = title.box[3] + 30, HEIGHT - FOOTER_H - 18

    layout.sketch = sketch_for(spec)
    text_right = (SKETCH_LEFT if layout.sketch else MOTIF_BOX[0]) - 24
    text_panel = (MARGIN - 16, content_top, text_right, content_bottom)
    layout.panels.append((text_panel, pal.panel))
    if layout.sketch:
        layout.sketch_box = (SKETCH_LEFT, content_top, WIDTH - MARGIN + 16, content_bottom)
        layout.panels.append((layout.sketch_box, pal.panel))
        inner = (layout.sketch_box[0] + 14, layout.sketch_box[1] + 12, layout.sketch_box[2] - 14,
                 layout.sketch_box[3] - 12)
        layout.texts += sketch(layout.sketch, inner, pal, spec.sketch_labels, reaction=spec.reaction)
    else:
        layout.motif_box = (MOTIF_BOX[0], max(MOTIF_BOX[1], content_top), MOTIF_BOX[2], MOTIF_BOX[3])

    area = (text_panel[0] + 30, text_panel[1] + 24, text_panel[2] - 26, text_panel[3] - 22)
    for block, box in _fit(_blocks(spec), area, pal):
        layout.texts.append(box)
        if block.boxed:
            layout.boxed.append((_outer(box, block, area[0], area[2] - area[0]), pal.equation_bg))
        if block.kind == "point":
            radius = box.size // 5
            layout.bullets.append((area[0] + 6 + radius, box.box[1] + line_height(box.size) // 2, radius))

    if spec.citation.strip():
        dots_w = max(1, spec.scene_count) * 26
        max_w = WIDTH - 2 * MARGIN - dots_w - 24
        text = _fit_citation(spec.citation.strip(), max_w)
        width = int(font("regular", FOOTER_SIZE).getlength(text))
        top = HEIGHT - FOOTER_H + (FOOTER_H - line_height(FOOTER_SIZE)) // 2
        layout.texts.append(TextBox("citation", (text,), FOOTER_SIZE, (MARGIN, top, MARGIN + width,
                                                                      top + line_height(FOOTER_SIZE)),
                                    pal.footer_text, pal.footer_bg))
    return layout


# --- drawing ---------------------------------------------------------------------------------

def render_slide(spec: SlideSpec) -> Image.Image:
    """Draw the slide for a spec and return the RGB image."""
    layout = layout_slide(spec)
    pal = layout.theme.palette
    image = Image.new("RGB", (WIDTH, HEIGHT), pal.background)
    draw = ImageDraw.Draw(image)
    if layout.motif_box:
        _draw_motif(image, layout.theme, seed=f"{layout.theme.slug}:{spec.scene_index}", box=layout.motif_box)
    for box, fill in layout.panels:
        draw.rounded_rectangle(box, radius=24, fill=fill)
    if layout.sketch and layout.sketch_box:
        box = layout.sketch_box
        sketch(layout.sketch, (box[0] + 14, box[1] + 12, box[2] - 14, box[3] - 12), pal, spec.sketch_labels,
               reaction=spec.reaction, image=image)
    draw.rounded_rectangle(layout.accent_bar, radius=4, fill=pal.accent)
    for box, fill in layout.boxed:
        draw.rounded_rectangle(box, radius=16, fill=fill, outline=pal.accent, width=3)
    for x, y, radius in layout.bullets:
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=pal.accent)
    _draw_footer(draw, spec, pal)
    for text in layout.texts:
        _draw_text(image, draw, text)
    return image


def _draw_text(image: Image.Image, draw: ImageDraw.ImageDraw, box: TextBox) -> None:
    x0, y0, x1, _ = box.box
    if box.kind in ("math", "formula"):
        y = y0
        for row in box.lines:
            im = typeset(row, box.size, box.fill, formula=box.kind == "formula")
            x = x0 + ((x1 - x0) - im.width) // 2 if box.align != "left" else x0
            image.paste(im, (x, y), im)
            y += im.height + 8
        return
    fnt = font(box.kind, box.size)
    step = line_height(box.size)
    for i, line in enumerate(box.lines):
        x = x0 + ((x1 - x0) - int(fnt.getlength(line))) // 2 if box.align != "left" else x0
        draw.text((x, y0 + i * step + step // 2), line, font=fnt, fill=box.fill, anchor="lm")


def _draw_footer(draw: ImageDraw.ImageDraw, spec: SlideSpec, pal: Palette) -> None:
    top = HEIGHT - FOOTER_H
    draw.rectangle((0, top, WIDTH, HEIGHT), fill=pal.footer_bg)
    count = max(1, spec.scene_count)
    dot_r, dot_gap = 7, 26
    x0 = WIDTH - MARGIN - count * dot_gap
    cy = top + FOOTER_H // 2
    for i in range(count):
        cx = x0 + i * dot_gap + dot_r
        if i == spec.scene_index:
            draw.ellipse((cx - dot_r - 2, cy - dot_r - 2, cx + dot_r + 2, cy + dot_r + 2), fill=pal.accent)
        else:
            draw.ellipse((cx - dot_r, cy - dot_r, cx + dot_r, cy + dot_r), outline=pal.footer_text, width=2)


def _fit_citation(text: str, max_width: int) -> str:
    """Shorten the middle of a long citation but keep its licence tail ('· CC BY 4.0' or '(OpenStax, CC BY 4.0)')."""
    foot_font = font("regular", FOOTER_SIZE)
    if foot_font.getlength(text) <= max_width:
        return text
    text = text.removeprefix("Source: ")
    if foot_font.getlength(text) <= max_width:
        return text
    match = re.search(r"( · [^·]+| \([^()]*\))$", text)
    if not match:
        return ellipsize(text, foot_font, max_width)
    tail = match.group(1)
    return ellipsize(text[:match.start()], foot_font, max_width - int(foot_font.getlength(tail))) + tail


# --- motifs: drawn at 2x on a transparent layer, then downsampled for smooth edges ------------

SCALE = 2


def _draw_motif(image: Image.Image, theme: Theme, *, seed: str, box: tuple[int, int, int, int] = MOTIF_BOX) -> None:
    x0, y0, x1, y1 = box
    w, h = (x1 - x0) * SCALE, (y1 - y0) * SCALE
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    rng = random.Random(seed)  # noqa: S311 - decoration only, deterministic by design
    MOTIFS.get(theme.motif, _waves)(draw, w, h, theme.palette, rng)
    layer = layer.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
    image.paste(layer, (x0, y0), layer)


def _rgba(rgb: RGB, alpha: int = 255) -> tuple[int, int, int, int]:
    return (*rgb, alpha)


def _court(d, w, h, pal, rng):
    line = _rgba(pal.accent_soft)
    lw = 6 * SCALE
    d.rectangle((20, 20, w - 20, h - 20), outline=line, width=lw)
    d.arc((w // 2 - 260, -200, w // 2 + 260, 380), 0, 180, fill=line, width=lw)  # three-point arc
    d.rectangle((w // 2 - 90, 20, w // 2 + 90, 300), outline=line, width=lw)  # the key
    d.ellipse((w // 2 - 90, 210, w // 2 + 90, 390), outline=line, width=lw)
    # ball
    cx, cy, r = w // 2, int(h * 0.68), 170
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_rgba(pal.accent))
    seam = _rgba((40, 20, 10))
    d.line((cx - r, cy, cx + r, cy), fill=seam, width=lw)
    d.line((cx, cy - r, cx, cy + r), fill=seam, width=lw)
    d.arc((cx - r - 120, cy - r, cx + r - 200, cy + r), -60, 60, fill=seam, width=lw)
    d.arc((cx - r + 200, cy - r, cx + r + 120, cy + r), 120, 240, fill=seam, width=lw)


def _field(d, w, h, pal, rng):
    line = _rgba(pal.accent_soft)
    lw = 6 * SCALE
    d.rectangle((30, 30, w - 30, h - 30), outline=line, width=lw)
    d.line((30, h // 2, w - 30, h // 2), fill=line, width=lw)
    d.ellipse((w // 2 - 120, h // 2 - 120, w // 2 + 120, h // 2 + 120), outline=line, width=lw)
    d.rectangle((w // 2 - 160, 30, w // 2 + 160, 190), outline=line, width=lw)
    d.rectangle((w // 2 - 160, h - 190, w // 2 + 160, h - 30), outline=line, width=lw)
    cx, cy, r = int(w * 0.62), int(h * 0.62), 80
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_rgba((245, 245, 245)))
    d.regular_polygon((cx, cy, 34), 5, fill=_rgba((30, 30, 30)))


def _notes(d, w, h, pal, rng):
    lw = 4 * SCALE
    for staff_top in (int(h * 0.18), int(h * 0.6)):
        for i in range(5):
            y = staff_top + i * 36
            d.line((10, y, w - 10, y), fill=_rgba(pal.accent_soft), width=lw)
        for k in range(3):
            x = 100 + k * 200 + rng.randint(-20, 20)
            y = staff_top + rng.choice([0, 1, 2, 3, 4]) * 36 + 18
            d.ellipse((x - 30, y - 22, x + 30, y + 22), fill=_rgba(pal.accent))
            d.line((x + 26, y, x + 26, y - 170), fill=_rgba(pal.accent), width=lw + 2)
            d.polygon([(x + 26, y - 170), (x + 80, y - 120), (x + 26, y - 135)], fill=_rgba(pal.accent))


def _pixels(d, w, h, pal, rng):
    size = 56
    colours = [pal.accent, pal.title, pal.accent_soft]
    cols, rows = w // size, h // size
    for _ in range(22):
        cx, cy = rng.randrange(cols), rng.randrange(rows)
        colour = rng.choice(colours)
        for dx, dy in rng.choice([[(0, 0), (1, 0), (2, 0), (1, 1)], [(0, 0), (1, 0), (0, 1), (1, 1)],
                                  [(0, 0), (0, 1), (0, 2), (1, 2)], [(0, 0), (1, 0), (2, 0), (3, 0)]]):
            x, y = (cx + dx) * size, (cy + dy) * size
            if x + size <= w and y + size <= h:
                d.rectangle((x + 4, y + 4, x + size - 4, y + size - 4), fill=_rgba(colour, 230))


def _stars(d, w, h, pal, rng):
    for _ in range(90):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.choice([2, 3, 4, 6])
        d.ellipse((x - r, y - r, x + r, y + r), fill=_rgba((255, 255, 255), rng.randint(120, 255)))
    cx, cy, r = w // 2, int(h * 0.55), 160
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_rgba(pal.accent_soft))
    d.ellipse((cx - r + 40, cy - r + 30, cx + 20, cy - 10), fill=_rgba(pal.title, 90))
    d.arc((cx - r - 110, cy - 60, cx + r + 110, cy + 60), 160, 380, fill=_rgba(pal.accent), width=14)
    mx, my = int(w * 0.8), int(h * 0.15)
    d.ellipse((mx - 50, my - 50, mx + 50, my + 50), fill=_rgba(pal.accent))


def _leaves(d, w, h, pal, rng):
    for _ in range(9):
        cx, cy = rng.randrange(80, w - 80), rng.randrange(80, h - 80)
        length, angle = rng.randint(90, 160), rng.uniform(0, math.pi)
        pts = []
        for t in range(0, 361, 15):
            a = math.radians(t)
            px, py = length * math.cos(a), length * 0.42 * math.sin(a)
            pts.append((cx + px * math.cos(angle) - py * math.sin(angle),
                        cy + px * math.sin(angle) + py * math.cos(angle)))
        d.polygon(pts, fill=_rgba(rng.choice([pal.accent, pal.accent_soft, pal.title]), 220))
        d.line((cx - length * math.cos(angle), cy - length * math.sin(angle),
                cx + length * math.cos(angle), cy + length * math.sin(angle)),
               fill=_rgba(pal.background), width=6)


def _gear(d, centre, r, teeth, *, colour, hole):
    cx, cy = centre
    for k in range(teeth):
        a = 2 * math.pi * k / teeth
        pts = [(cx + (r + dr) * math.cos(a + da), cy + (r + dr) * math.sin(a + da))
               for dr, da in ((-10, -0.12), (38, -0.08), (38, 0.08), (-10, 0.12))]
        d.polygon(pts, fill=colour)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    d.ellipse((cx - r * 0.35, cy - r * 0.35, cx + r * 0.35, cy + r * 0.35), fill=hole)


def _gears(d, w, h, pal, rng):
    _gear(d, (w * 0.45, h * 0.35), 150, 12, colour=_rgba(pal.accent), hole=_rgba(pal.background))
    _gear(d, (w * 0.66, h * 0.68), 100, 9, colour=_rgba(pal.accent_soft), hole=_rgba(pal.background))
    _gear(d, (w * 0.3, h * 0.78), 70, 8, colour=_rgba(pal.title, 200), hole=_rgba(pal.background))


def _code(d, w, h, pal, rng):
    mono = font("mono", 150 * SCALE // 2)
    d.text((w // 2, int(h * 0.22)), "</>", font=mono, fill=_rgba(pal.accent), anchor="mm")
    y = int(h * 0.42)
    for _ in range(9):
        indent = rng.choice([0, 40, 80])
        width = rng.randint(150, w - 100 - indent)
        d.rounded_rectangle((40 + indent, y, 40 + indent + width, y + 26), radius=12,
                            fill=_rgba(rng.choice([pal.accent_soft, pal.title, pal.accent]), 200))
        y += 58


def _lens(d, w, h, pal, rng):
    body = (40, int(h * 0.3), w - 40, int(h * 0.72))
    d.rounded_rectangle(body, radius=40, fill=_rgba(pal.accent_soft))
    d.rounded_rectangle((80, body[1] - 60, 260, body[1] + 10), radius=16, fill=_rgba(pal.accent_soft))
    cx, cy = w // 2, (body[1] + body[3]) // 2
    for r, colour in ((170, pal.background), (130, pal.accent), (80, pal.background), (36, pal.title)):
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_rgba(colour))
    d.ellipse((w - 150, body[1] + 30, w - 90, body[1] + 90), fill=_rgba(pal.accent))


def _kitchen(d, w, h, pal, rng):
    cx, cy, r = w // 2 - 30, int(h * 0.62), 190
    d.rounded_rectangle((cx + r - 20, cy - 24, w - 10, cy + 24), radius=20, fill=_rgba(pal.accent_soft))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_rgba(pal.accent_soft))
    d.ellipse((cx - r + 30, cy - r + 30, cx + r - 30, cy + r - 30), fill=_rgba(pal.accent))
    for k in range(3):
        x = cx - 100 + k * 100
        pts = [(x + 24 * math.sin(t / 6), cy - r - 30 - t * 4) for t in range(60)]
        d.line(pts, fill=_rgba(pal.title, 200), width=10, joint="curve")


def _waves(d, w, h, pal, rng):
    for k in range(6):
        amp, phase = 30 + 8 * k, rng.uniform(0, math.pi)
        y0 = 80 + k * (h - 160) / 5
        pts = [(x, y0 + amp * math.sin(x / 70 + phase)) for x in range(0, w + 1, 8)]
        d.line(pts, fill=_rgba(pal.accent if k % 2 else pal.accent_soft, 220), width=12, joint="curve")
    for _ in range(5):
        x, y, r = rng.randrange(w), rng.randrange(h), rng.randint(20, 50)
        d.ellipse((x - r, y - r, x + r, y + r), outline=_rgba(pal.title, 200), width=8)


MOTIFS: dict[str, Callable] = {
    "court": _court, "field": _field, "notes": _notes, "pixels": _pixels, "stars": _stars,
    "leaves": _leaves, "gears": _gears, "code": _code, "lens": _lens, "kitchen": _kitchen,
    "waves": _waves,
}
