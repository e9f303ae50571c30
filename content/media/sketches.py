"""Labelled teaching sketches for explanation slides: forces on an object, a wave, a cell, an atom, a reaction.

Each sketch is laid out twice from the same numbers: once without drawing (the slide's layout model
gets its label boxes, so tests can check that labels fit and are large enough) and once onto a 2×
layer that is downsampled for smooth edges. Labels are ordinary slide text (≥ `MIN_TEXT`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

from .mathtext import typeset
from .themes import Palette
from .typography import MIN_TEXT, RGB, TextBox, line_height, text_box

LABEL_SIZE = MIN_TEXT + 1  # 44 px: 12.4 px on a 360 px phone
SCALE = 2
SKETCHES = ("forces", "wave", "cell", "atom", "reaction")
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("wave", ("wavelength", "amplitude", "wave", "frequency", "sound", "vibration", "oscillat")),
    ("forces", ("net force", "force", "newton", "friction", "push", "pull", "inertia", "accelerat", "gravity",
                "weight", "tension")),
    ("atom", ("atom", "electron", "proton", "neutron", "isotope", "nucleus of an atom", "atomic")),
    ("cell", ("cell", "organelle", "mitochondri", "chloroplast", "membrane", "ribosome", "nucleus")),
)
_DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "up": (0, -1), "down": (0, 1)}


def infer_sketch(*, kind: str, subject: str, texts: Sequence[str], reaction: str = "") -> str:
    """The sketch that fits a scene's words ("" when none does), for writers that name none."""
    if kind not in ("explanation", "example", ""):
        return ""
    if reaction.strip():
        return "reaction"
    words = " ".join(texts).lower()
    subject = (subject or "").lower()
    for sketch, keywords in _KEYWORDS:
        if sketch == "cell" and "biology" not in subject and "cell" not in words:
            continue
        if sketch == "atom" and "biology" in subject:
            continue
        if any(k in words for k in keywords):
            return sketch
    return ""


class Pen:
    """Draws in slide coordinates onto a 2× transparent layer covering `box` (or nowhere, for layout)."""

    def __init__(self, box: tuple[int, int, int, int], *, draw: bool) -> None:
        self.box = box
        self.layer = Image.new("RGBA", ((box[2] - box[0]) * SCALE, (box[3] - box[1]) * SCALE), (0, 0, 0, 0)) \
            if draw else None
        self.d = ImageDraw.Draw(self.layer) if self.layer is not None else None

    def _p(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.box[0]) * SCALE, (y - self.box[1]) * SCALE

    def _b(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (*self._p(x0, y0), *self._p(x1, y1))

    def line(self, points: Sequence[tuple[float, float]], colour: RGB, width: int) -> None:
        if self.d:
            self.d.line([self._p(x, y) for x, y in points], fill=(*colour, 255), width=width * SCALE, joint="curve")

    def ellipse(self, bbox, *, fill: RGB | None = None, outline: RGB | None = None, width: int = 0) -> None:
        if self.d:
            self.d.ellipse(self._b(*bbox), fill=(*fill, 255) if fill else None,
                           outline=(*outline, 255) if outline else None, width=width * SCALE)

    def rounded(self, bbox, *, radius: int, fill: RGB | None = None, outline: RGB | None = None,
                width: int = 0) -> None:
        if self.d:
            self.d.rounded_rectangle(self._b(*bbox), radius=radius * SCALE, fill=(*fill, 255) if fill else None,
                                     outline=(*outline, 255) if outline else None, width=width * SCALE)

    def arrow(self, start: tuple[float, float], end: tuple[float, float], colour: RGB, *, width: int = 8,
              head: int = 26, both: bool = False) -> None:
        (x0, y0), (x1, y1) = start, end
        length = max(1.0, ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        for (tx, ty), sign in (((x1, y1), 1), ((x0, y0), -1)) if both else (((x1, y1), 1),):
            bx, by = tx - sign * ux * head, ty - sign * uy * head
            if self.d:
                self.d.polygon([self._p(tx, ty), self._p(bx - uy * head * 0.55, by + ux * head * 0.55),
                                self._p(bx + uy * head * 0.55, by - ux * head * 0.55)], fill=(*colour, 255))
        shaft_start = (x0 + ux * head * 0.8, y0 + uy * head * 0.8) if both else start
        self.line([shaft_start, (x1 - ux * head * 0.8, y1 - uy * head * 0.8)], colour, width)

    def paste_onto(self, image: Image.Image) -> None:
        if self.layer is not None:
            x0, y0, x1, y1 = self.box
            small = self.layer.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
            image.paste(small, (x0, y0), small)


def _label(text: str, *, x: int, y: int, width: int, pal: Palette, align: str = "left",
           max_lines: int = 2) -> TextBox:
    return text_box("label", text, size=LABEL_SIZE, kind="bold", width=width, x=x, y=y, fill=pal.text,
                    background=pal.panel, max_lines=max_lines, align=align)


def _forces(pen: Pen, box, pal: Palette, labels: Sequence[str]) -> list[TextBox]:
    x0, y0, x1, y1 = box
    arrows, name = [], ""
    for raw in labels:
        direction, sep, text = raw.partition(":")
        if sep and direction.strip().lower() in _DIRECTIONS:
            arrows.append((direction.strip().lower(), text.strip()))
        elif not name:
            name = raw.strip()
    arrows = arrows or [("right", "Net force")]
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2 + 20
    half = int(min(x1 - x0, y1 - y0) * 0.13)
    pen.rounded((cx - half, cy - half, cx + half, cy + half), radius=18, fill=pal.accent_soft, outline=pal.title,
                width=4)
    values = [float(m.group()) for _, t in arrows if (m := re.search(r"\d+(?:\.\d+)?", t))]
    biggest = max(values) if len(values) == len(arrows) and values and max(values) > 0 else 0.0
    out: list[TextBox] = []
    for direction, text in arrows:
        dx, dy = _DIRECTIONS[direction]
        reach = ((x1 - x0) // 2 - half - 18) if dx else ((y1 - y0) // 2 - half - 30)
        share = 0.8
        if biggest and (m := re.search(r"\d+(?:\.\d+)?", text)):
            share = 0.4 + 0.6 * float(m.group()) / biggest
        start = (cx + dx * (half + 6), cy + dy * (half + 6))
        end = (start[0] + dx * reach * share, start[1] + dy * reach * share)
        pen.arrow(start, end, pal.accent, width=10, head=30)
        if dx:  # label above the arrow, over its half of the box
            left, right = (cx + half, x1 - 6) if dx > 0 else (x0 + 6, cx - half)
            label = _label(text, x=left, y=0, width=right - left, pal=pal, align="center")
            height = label.box[3] - label.box[1]
            label = _label(text, x=left, y=cy - 16 - height, width=right - left, pal=pal, align="center")
        else:  # label beside the arrow tip
            label = _label(text, x=cx + 18, y=0, width=x1 - cx - 24, pal=pal)
            height = label.box[3] - label.box[1]
            top = int(end[1]) if dy < 0 else int(end[1]) - height
            label = _label(text, x=cx + 18, y=max(y0 + 4, min(top, y1 - 4 - height)), width=x1 - cx - 24, pal=pal)
        out.append(label)
    if name:
        taken = {d for d, _ in arrows}
        spot = "below" if "down" not in taken else "above" if "up" not in taken else "corner"
        width = (x1 - x0) - 24
        probe = _label(name, x=x0 + 12, y=0, width=width, pal=pal, align="center", max_lines=1)
        h = probe.box[3] - probe.box[1]
        y = {"below": cy + half + 14, "above": cy - half - 14 - h, "corner": y0 + 8}[spot]
        out.append(_label(name, x=x0 + 12, y=y, width=width, pal=pal, align="center", max_lines=1))
    return out


def _wave(pen: Pen, box, pal: Palette, labels: Sequence[str]) -> list[TextBox]:
    import math

    x0, y0, x1, y1 = box
    wavelength_text = labels[0] if labels else "wavelength"
    amplitude_text = labels[1] if len(labels) > 1 else "amplitude"
    pad = 24
    cy = (y0 + y1) // 2 + 10
    amp = int((y1 - y0) * 0.24)
    start, span = x0 + pad, (x1 - x0) - 2 * pad
    lam = span / 2
    pen.line([(start, cy), (x1 - pad, cy)], pal.accent_soft, 3)
    pen.line([(start + t, cy - amp * math.sin(2 * math.pi * t / lam)) for t in range(0, span + 1, 4)], pal.accent, 7)
    crest1, crest2 = start + lam / 4, start + 5 * lam / 4
    mark_y = cy - amp - 26
    pen.arrow((crest1, mark_y), (crest2, mark_y), pal.title, width=5, head=20, both=True)
    for x in (crest1, crest2):
        pen.line([(x, mark_y - 14), (x, cy - amp)], pal.title, 3)
    trough = start + 3 * lam / 4
    pen.arrow((trough, cy), (trough, cy + amp), pal.title, width=5, head=20, both=True)
    probe = _label(wavelength_text, x=x0 + 6, y=0, width=x1 - x0 - 12, pal=pal, align="center", max_lines=1)
    top = mark_y - 8 - (probe.box[3] - probe.box[1])
    out = [_label(wavelength_text, x=x0 + 6, y=max(y0 + 2, top), width=x1 - x0 - 12, pal=pal, align="center",
                  max_lines=1)]
    half = min(int(trough) - x0, x1 - int(trough)) - 6
    out.append(_label(amplitude_text, x=int(trough) - half, y=cy + amp + 12, width=2 * half, pal=pal,
                      align="center", max_lines=1))
    return out


def _legend(pen: Pen, box, pal: Palette, parts: Sequence[tuple[str, RGB, tuple[float, float]]],
            top: int) -> list[TextBox]:
    """Rows under the drawing: a swatch in the part's colour, its name, and a leader line to the part."""
    x0, _, x1, _ = box
    out, y = [], top
    for name, colour, (px, py) in parts:
        row_h = line_height(LABEL_SIZE)
        sx, sy = x0 + 22, y + row_h // 2
        pen.line([(sx, sy), (px, py)], pal.text, 2)
        pen.ellipse((sx - 13, sy - 13, sx + 13, sy + 13), fill=colour, outline=pal.text, width=2)
        out.append(_label(name, x=x0 + 48, y=y, width=x1 - x0 - 54, pal=pal, max_lines=1))
        y += row_h + 4
    return out


_CELL_PARTS = ("nucleus", "mitochondrion", "cell membrane", "ribosome", "cytoplasm", "chloroplast", "cell wall",
               "vacuole")


def _cell(pen: Pen, box, pal: Palette, labels: Sequence[str]) -> list[TextBox]:
    x0, y0, x1, y1 = box
    wanted = [p for p in (label.strip().lower() for label in labels) if p] or ["nucleus", "mitochondrion",
                                                                               "cell membrane"]
    rows = min(len(wanted), 4)
    drawing_bottom = y1 - rows * (line_height(LABEL_SIZE) + 4) - 10
    cx, cy = (x0 + x1) // 2, (y0 + drawing_bottom) // 2
    rx, ry = (x1 - x0) // 2 - 24, (drawing_bottom - y0) // 2 - 8
    plant = any(p in ("cell wall", "chloroplast") for p in wanted)
    green, membrane, organelle = (90, 170, 90), pal.accent, (235, 150, 90)
    if plant:
        pen.rounded((cx - rx - 10, cy - ry - 6, cx + rx + 10, cy + ry + 6), radius=30, outline=(150, 120, 70),
                    width=8)
    pen.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=pal.accent_soft, outline=membrane, width=6)
    nr = int(ry * 0.5)
    nx = cx - rx // 3
    pen.ellipse((nx - nr, cy - nr, nx + nr, cy + nr), fill=pal.title, outline=pal.background, width=3)
    pen.ellipse((nx - nr // 3, cy - nr // 3, nx + nr // 3, cy + nr // 3), fill=pal.background)
    mx, my = cx + rx // 3, cy - ry // 3
    pen.ellipse((mx - 46, my - 20, mx + 46, my + 20), fill=organelle, outline=pal.background, width=2)
    pen.line([(mx - 34, my), (mx - 20, my - 10), (mx - 6, my + 10), (mx + 8, my - 10), (mx + 22, my + 10),
              (mx + 34, my)], pal.background, 2)
    bx, by = cx + rx // 2, cy + ry // 3
    for dx, dy in ((0, 0), (18, 10), (-16, 14), (6, 26), (28, -8)):
        pen.ellipse((bx + dx - 5, by + dy - 5, bx + dx + 5, by + dy + 5), fill=pal.background)
    px, py = cx + rx // 6, cy + ry // 2
    if "chloroplast" in wanted:
        pen.ellipse((px - 40, py - 16, px + 40, py + 16), fill=green, outline=pal.background, width=2)
    if "vacuole" in wanted:
        pen.ellipse((cx + rx // 8 - 34, cy - 30, cx + rx // 8 + 34, cy + 30), fill=(180, 210, 240),
                    outline=pal.background, width=2)
    anchors = {"nucleus": ((nx, cy), pal.title), "mitochondrion": ((mx, my), organelle),
               "mitochondria": ((mx, my), organelle), "ribosome": ((bx, by), pal.background),
               "ribosomes": ((bx, by), pal.background), "cell membrane": ((cx, cy + ry), membrane),
               "membrane": ((cx, cy + ry), membrane), "cytoplasm": ((cx + rx // 2, cy - ry // 2), pal.accent_soft),
               "chloroplast": ((px, py), green), "cell wall": ((cx - rx - 10, cy), (150, 120, 70)),
               "vacuole": ((cx + rx // 8, cy), (180, 210, 240))}
    parts = [(name, anchors[name][1], anchors[name][0]) for name in wanted if name in anchors][:4]
    return _legend(pen, box, pal, parts, drawing_bottom + 10)


def _atom(pen: Pen, box, pal: Palette, labels: Sequence[str]) -> list[TextBox]:
    x0, y0, x1, y1 = box
    wanted = [p for p in (label.strip() for label in labels) if p] or ["nucleus: protons and neutrons", "electron"]
    rows = min(len(wanted), 3)
    drawing_bottom = y1 - rows * (line_height(LABEL_SIZE) + 4) - 10
    cx, cy = (x0 + x1) // 2, (y0 + drawing_bottom) // 2
    r2 = min((x1 - x0) // 2 - 30, (drawing_bottom - y0) // 2 - 10)
    r1 = int(r2 * 0.6)
    for r in (r1, r2):
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), outline=pal.accent_soft, width=4)
    proton, neutron, electron = (230, 90, 80), (170, 170, 180), pal.accent
    for i, (dx, dy) in enumerate(((-10, -8), (10, -8), (0, 8), (-14, 10), (14, 10), (0, -18))):
        pen.ellipse((cx + dx - 12, cy + dy - 12, cx + dx + 12, cy + dy + 12), fill=proton if i % 2 else neutron,
                    outline=pal.background, width=2)
    electrons = [(cx + r1, cy), (cx - r1, cy), (cx, cy - r2), (cx + int(r2 * 0.7), cy + int(r2 * 0.7))]
    for ex, ey in electrons:
        pen.ellipse((ex - 12, ey - 12, ex + 12, ey + 12), fill=electron)
    anchor_for = {"nucleus": ((cx, cy), proton), "proton": ((cx + 10, cy - 8), proton),
                  "neutron": ((cx - 10, cy - 8), neutron), "electron": (electrons[2], electron),
                  "shell": ((cx - r2, cy), pal.accent_soft), "orbit": ((cx - r2, cy), pal.accent_soft)}
    parts = []
    for label in wanted[:3]:
        key = next((k for k in anchor_for if k in label.lower()), "nucleus")
        parts.append((label, anchor_for[key][1], anchor_for[key][0]))
    return _legend(pen, box, pal, parts, drawing_bottom + 10)


def reaction_rows(reaction: str, width: int) -> tuple[int, list[str]]:
    """(size, rows): the reaction on one row at the largest size that fits, else split at the arrow."""
    for size in (64, 58, 52, 48, LABEL_SIZE):
        if typeset(reaction, size, (0, 0, 0), formula=True).width <= width:
            return size, [reaction]
    for arrow in ("<=>", "⇌", "->", "→", "⟶"):
        if arrow in reaction:
            left, right = reaction.split(arrow, 1)
            return LABEL_SIZE, [left.strip(), f"{arrow} {right.strip()}"]
    return LABEL_SIZE, [reaction]


def _reaction(pen: Pen, box, pal: Palette, labels: Sequence[str], reaction: str = "") -> list[TextBox]:
    x0, y0, x1, y1 = box
    size, rows = reaction_rows(reaction, x1 - x0 - 32)
    images = [typeset(row, size, pal.text, formula=True) for row in rows]
    total = sum(im.height for im in images) + 16 * (len(images) - 1)
    y = (y0 + y1) // 2 - total // 2 - 30
    out = []
    for row, im in zip(rows, images, strict=True):
        left = (x0 + x1) // 2 - im.width // 2
        out.append(TextBox("reaction", (row,), size, (left, y, left + im.width, y + im.height), pal.text, pal.panel,
                           "formula"))
        y += im.height + 16
    caption = labels[0] if labels else "reactants → products"
    out.append(_label(caption, x=x0 + 12, y=y + 18, width=x1 - x0 - 24, pal=pal, align="center", max_lines=1))
    pen.line([(x0 + 40, y + 6), (x1 - 40, y + 6)], pal.accent_soft, 3)
    return out


_DRAWERS: dict[str, Callable] = {"forces": _forces, "wave": _wave, "cell": _cell, "atom": _atom}


def sketch(kind: str, box: tuple[int, int, int, int], pal: Palette, labels: Sequence[str], *,
           reaction: str = "", image: Image.Image | None = None) -> list[TextBox]:
    """Lay out (and, given `image`, draw) a sketch in `box`; returns its label text boxes."""
    pen = Pen(box, draw=image is not None)
    if kind == "reaction":
        boxes = _reaction(pen, box, pal, labels, reaction)
    else:
        boxes = _DRAWERS[kind](pen, box, pal, labels)
    if image is not None:
        pen.paste_onto(image)
    return boxes
