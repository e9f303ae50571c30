"""Local slide renderer: one 1280×720 PNG per scene, drawn with Pillow (the offline default).

Layout (phone-legible): title ≥ 48 px bold, 2–4 wrapped key points ≥ 32 px on a panel, an
optional equation in a highlighted box, an interest motif in the right column, progress dots and a
citation footer. Output is deterministic for a given SlideSpec.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from vividly.providers.base import RenderedImage, SlideSpec, Usage

from .themes import RGB, Palette, Theme, theme_for

WIDTH, HEIGHT = 1280, 720
MARGIN = 56
FOOTER_H = 60
TITLE_SIZES = (56, 52, 48)
BODY_SIZES = (38, 36, 34, 32)
EQUATION_SIZES = (44, 40, 36, 32)
FOOTER_SIZE = 24
MAX_BULLETS = 4
MOTIF_BOX = (920, 196, 1240, 640)  # right column, never behind text
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono-Bold.ttf"}


@cache
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(f"{FONT_DIR}/{FONTS[kind]}", size)


def wrap(text: str, fnt: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap by rendered pixel width (long words are split by characters)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if fnt.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        rest = word
        while fnt.getlength(rest) > max_width:  # a single over-long token
            cut = max(1, next((i for i in range(len(rest), 0, -1) if fnt.getlength(rest[:i]) <= max_width), 1))
            lines.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    if current:
        lines.append(current)
    return lines


def ellipsize(line: str, fnt: ImageFont.FreeTypeFont, max_width: int) -> str:
    while line and fnt.getlength(line + "…") > max_width:
        line = line[:-1].rstrip()
    return line + "…"


def clamp_lines(lines: list[str], limit: int, fnt: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[: limit - 1], ellipsize(lines[limit - 1], fnt, max_width)]


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


def render_slide(spec: SlideSpec) -> Image.Image:
    """Draw the slide for a spec and return the RGB image."""
    theme = theme_for(spec.interest or spec.subject)
    pal = theme.palette
    image = Image.new("RGB", (WIDTH, HEIGHT), pal.background)
    draw = ImageDraw.Draw(image)

    _draw_motif(image, theme, seed=f"{theme.slug}:{spec.scene_index}")

    # title
    title_width = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        title_font = font("bold", size)
        title_lines = wrap(spec.title.strip() or " ", title_font, title_width)
        if len(title_lines) <= 2:
            break
    title_lines = clamp_lines(title_lines, 2, title_font, title_width)
    y = 36
    line_h = int(title_font.size * 1.18)
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=pal.title)
        y += line_h
    draw.rounded_rectangle((MARGIN, y + 6, MARGIN + 140, y + 14), radius=4, fill=pal.accent)
    panel_top = y + 32

    # panel with key points and equation
    panel = (MARGIN - 16, panel_top, MOTIF_BOX[0] - 24, HEIGHT - FOOTER_H - 20)
    draw.rounded_rectangle(panel, radius=24, fill=pal.panel)
    inner_left, inner_right = panel[0] + 32, panel[2] - 28
    inner_top, inner_bottom = panel[1] + 24, panel[3] - 24

    eq_height = 0
    if spec.equation:
        eq_font, eq_text = _fit_equation(spec.equation.strip(), inner_right - inner_left - 48)
        eq_height = int(eq_font.size * 1.9)
        box = (inner_left, inner_bottom - eq_height, inner_right, inner_bottom)
        draw.rounded_rectangle(box, radius=16, fill=pal.equation_bg, outline=pal.accent, width=3)
        text_w = eq_font.getlength(eq_text)
        draw.text(((box[0] + box[2] - text_w) / 2, (box[1] + box[3]) / 2), eq_text, font=eq_font,
                  fill=pal.equation_text, anchor="lm")
        eq_height += 20

    points = [b.strip() for b in spec.bullets if b and b.strip()][:MAX_BULLETS]
    if not points and spec.visual_description.strip():
        points = [spec.visual_description.strip()]
    _draw_points(draw, points, pal, (inner_left, inner_top, inner_right, inner_bottom - eq_height))

    _draw_footer(draw, spec, pal)
    return image


def _fit_equation(text: str, max_width: int) -> tuple[ImageFont.FreeTypeFont, str]:
    for size in EQUATION_SIZES:
        eq_font = font("mono", size)
        if eq_font.getlength(text) <= max_width:
            return eq_font, text
    return eq_font, ellipsize(text, eq_font, max_width)


def _draw_points(draw: ImageDraw.ImageDraw, points: list[str], pal: Palette,
                 box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    text_left = left + 34
    width = right - text_left
    available = bottom - top
    layout: list[list[str]] = []
    body_font = font("regular", BODY_SIZES[-1])
    for size in BODY_SIZES:
        body_font = font("regular", size)
        layout = [wrap(p, body_font, width) for p in points]
        if _points_height(layout, size) <= available:
            break
    else:  # still too tall at the minimum size: trim the longest point a line at a time
        while _points_height(layout, size) > available:
            longest = max(range(len(layout)), key=lambda i: len(layout[i]))
            if len(layout[longest]) <= 1:
                layout.pop()  # every point is one line already: drop the last point
                continue
            layout[longest] = clamp_lines(layout[longest], len(layout[longest]) - 1, body_font, width)
    size = body_font.size
    line_h = int(size * 1.3)
    gap = int(size * 0.55)
    y = top
    for lines in layout:
        radius = size // 5
        cy = y + line_h // 2
        draw.ellipse((left + 6, cy - radius, left + 6 + 2 * radius, cy + radius), fill=pal.accent)
        for line in lines:
            draw.text((text_left, y + line_h // 2), line, font=body_font, fill=pal.text, anchor="lm")
            y += line_h
        y += gap


def _points_height(layout: list[list[str]], size: int) -> int:
    lines = sum(len(item) for item in layout)
    return lines * int(size * 1.3) + max(0, len(layout) - 1) * int(size * 0.55)


def _draw_footer(draw: ImageDraw.ImageDraw, spec: SlideSpec, pal: Palette) -> None:
    top = HEIGHT - FOOTER_H
    draw.rectangle((0, top, WIDTH, HEIGHT), fill=pal.footer_bg)
    count = max(1, spec.scene_count)
    dot_r, dot_gap = 7, 26
    dots_w = count * dot_gap
    x0 = WIDTH - MARGIN - dots_w
    cy = top + FOOTER_H // 2
    for i in range(count):
        cx = x0 + i * dot_gap + dot_r
        if i == spec.scene_index:
            draw.ellipse((cx - dot_r - 2, cy - dot_r - 2, cx + dot_r + 2, cy + dot_r + 2), fill=pal.accent)
        else:
            draw.ellipse((cx - dot_r, cy - dot_r, cx + dot_r, cy + dot_r), outline=pal.footer_text, width=2)
    if spec.citation:
        max_w = x0 - MARGIN - 24
        text = _fit_citation(spec.citation.strip(), max_w)
        draw.text((MARGIN, cy), text, font=font("regular", FOOTER_SIZE), fill=pal.footer_text, anchor="lm")


def _fit_citation(text: str, max_width: int) -> str:
    """Shorten the middle of a long citation but keep its licence tail ('· CC BY 4.0')."""
    foot_font = font("regular", FOOTER_SIZE)
    if foot_font.getlength(text) <= max_width:
        return text
    head, sep, tail = text.rpartition(" · ")
    if not sep:
        return ellipsize(text, foot_font, max_width)
    tail = f" · {tail}"
    return ellipsize(head, foot_font, max_width - int(foot_font.getlength(tail))) + tail


# --- motifs: drawn at 2x on a transparent layer, then downsampled for smooth edges ------------

SCALE = 2


def _draw_motif(image: Image.Image, theme: Theme, *, seed: str) -> None:
    x0, y0, x1, y1 = MOTIF_BOX
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
