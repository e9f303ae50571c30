"""Fonts, pixel-width wrapping and the text boxes a slide is laid out from (shared by slides and sketches).

Sizes are pixels on the 1280 px wide slide. A student often watches on a phone about 360 px wide,
where every size shrinks by 360/1280: `MIN_TEXT` keeps body text ≥ 12 px there and `MIN_FOOTNOTE`
keeps the citation ≥ 10 px.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from PIL import ImageFont

RGB = tuple[int, int, int]
WIDTH, HEIGHT = 1280, 720
PHONE_WIDTH = 360
MIN_PHONE_TEXT_PX, MIN_PHONE_FOOTNOTE_PX = 12, 10
MIN_TEXT = math.ceil(MIN_PHONE_TEXT_PX * WIDTH / PHONE_WIDTH)  # 43 px
MIN_FOOTNOTE = math.ceil(MIN_PHONE_FOOTNOTE_PX * WIDTH / PHONE_WIDTH)  # 36 px
LINE_HEIGHT = 1.22
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "DejaVuSansMono-Bold.ttf"}


def phone_px(size: float) -> float:
    """How tall `size` px on the slide is on a 360 px wide phone screen."""
    return size * PHONE_WIDTH / WIDTH


@cache
def font(kind: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(f"{FONT_DIR}/{FONTS[kind]}", size)


def line_height(size: int) -> int:
    return int(size * LINE_HEIGHT)


def wrap(text: str, fnt: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap by rendered pixel width (long words are split by characters)."""
    lines: list[str] = []
    current = ""
    for word in re.split(r"[ \t\r\n]+", text.strip()):  # not at no-break spaces ("12\u00a0N")
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
    """Cut the line to fit with "…", at a word boundary when one is near."""
    if fnt.getlength(line + "…") <= max_width:
        return line + "…"
    words = line.split(" ")
    while len(words) > 1 and fnt.getlength(" ".join(words) + "…") > max_width:
        words.pop()
    line = " ".join(words)
    while line and fnt.getlength(line + "…") > max_width:
        line = line[:-1].rstrip()
    return line + "…"


def clamp_lines(lines: list[str], limit: int, fnt: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[: limit - 1], ellipsize(lines[limit - 1], fnt, max_width)]


@dataclass(frozen=True)
class TextBox:
    """One piece of text on a slide: where it goes, how big, in which colours.

    `kind` is "regular"/"bold" for text, "math" for a typeset equation and "formula" for a typeset
    reaction (then `lines` holds the source text, one line per typeset row). `background` is the
    colour the text sits on (for the contrast check).
    """

    role: str
    lines: tuple[str, ...]
    size: int
    box: tuple[int, int, int, int]
    fill: RGB
    background: RGB
    kind: str = "regular"
    align: str = "left"

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def text_box(role: str, text: str, *, size: int, kind: str, width: int, x: int, y: int, fill: RGB,
             background: RGB, max_lines: int = 3, align: str = "left") -> TextBox:
    """Wrap `text` into at most `max_lines` lines of `width` px at (x, y) (align: left or centre)."""
    fnt = font(kind, size)
    text = re.sub(r"(\d)\s+(?=[A-Za-zΩ°%µ/]{1,5}\b)", "\\1\u00a0", " ".join(text.split()))  # keep "12 N" whole
    lines = clamp_lines(wrap(text, fnt, width), max_lines, fnt, width)
    used = max((int(fnt.getlength(line)) for line in lines), default=0)
    left = x if align == "left" else x + (width - used) // 2
    return TextBox(role, tuple(lines), size, (left, y, left + used, y + line_height(size) * len(lines)), fill,
                   background, kind, align)
