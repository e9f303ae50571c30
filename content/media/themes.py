"""Interest → slide theme (palette + motif). Pure and deterministic: same interest, same look.

Every palette keeps text at a WCAG contrast of at least 4.5:1 against the colour it sits on
(checked by the tests for every theme), so slides stay legible on a phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    background: RGB
    panel: RGB  # card behind the key points
    title: RGB
    text: RGB
    accent: RGB  # bullets, progress dots, motif
    accent_soft: RGB  # motif secondary colour (decoration only, never behind text)
    equation_bg: RGB
    equation_text: RGB
    footer_bg: RGB
    footer_text: RGB


@dataclass(frozen=True)
class Theme:
    slug: str
    motif: str
    palette: Palette


PALETTES: dict[str, Palette] = {
    # dark hardwood + orange ball
    "court": Palette((28, 22, 18), (44, 34, 28), (255, 184, 77), (246, 240, 232), (243, 125, 36),
                     (120, 72, 40), (255, 232, 190), (46, 28, 8), (16, 12, 10), (214, 204, 192)),
    # night pitch
    "field": Palette((12, 44, 28), (20, 60, 40), (190, 255, 170), (240, 250, 240), (120, 220, 110),
                     (40, 100, 60), (225, 255, 215), (10, 40, 20), (6, 28, 16), (200, 225, 205)),
    # deep purple stage
    "notes": Palette((30, 18, 52), (46, 30, 74), (255, 200, 255), (244, 238, 252), (214, 120, 255),
                     (96, 60, 140), (248, 226, 255), (44, 16, 64), (20, 12, 36), (214, 204, 230)),
    # retro console
    "pixels": Palette((16, 18, 40), (28, 32, 64), (120, 255, 214), (236, 240, 255), (255, 96, 160),
                      (70, 90, 200), (210, 255, 240), (12, 40, 32), (10, 12, 28), (200, 206, 230)),
    # deep space
    "stars": Palette((8, 12, 30), (20, 28, 58), (160, 210, 255), (236, 242, 255), (255, 210, 90),
                     (90, 110, 190), (222, 238, 255), (10, 24, 52), (4, 6, 18), (196, 206, 230)),
    # forest
    "leaves": Palette((18, 40, 30), (28, 56, 42), (210, 245, 160), (240, 248, 236), (150, 210, 90),
                      (60, 110, 70), (236, 250, 214), (24, 48, 14), (10, 26, 18), (204, 224, 208)),
    # workshop steel
    "gears": Palette((26, 30, 36), (40, 46, 56), (140, 220, 255), (238, 242, 246), (255, 170, 60),
                     (90, 104, 122), (220, 242, 255), (14, 36, 52), (16, 18, 22), (204, 210, 218)),
    # terminal
    "code": Palette((14, 20, 24), (24, 34, 40), (130, 240, 160), (232, 240, 236), (90, 200, 255),
                    (50, 90, 110), (214, 250, 224), (10, 36, 20), (8, 12, 14), (196, 210, 204)),
    # camera / gallery
    "lens": Palette((34, 26, 30), (52, 40, 46), (255, 190, 170), (248, 240, 236), (255, 120, 100),
                    (120, 80, 90), (255, 230, 222), (60, 20, 14), (22, 16, 18), (220, 206, 206)),
    # kitchen warmth
    "kitchen": Palette((44, 24, 16), (62, 36, 24), (255, 214, 140), (250, 240, 228), (240, 140, 60),
                       (130, 80, 50), (255, 238, 205), (60, 30, 8), (28, 14, 10), (226, 210, 196)),
    # classroom blue (fallback)
    "waves": Palette((18, 30, 54), (28, 44, 76), (150, 210, 255), (238, 244, 252), (90, 190, 250),
                     (60, 90, 150), (220, 238, 255), (14, 32, 60), (10, 18, 34), (200, 212, 230)),
}

# keyword (matched against the interest slug/name) → motif; first match wins
MOTIF_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("basketball", "court"), ("volleyball", "court"), ("tennis", "court"),
    ("soccer", "field"), ("football", "field"), ("athletic", "field"), ("track", "field"),
    ("baseball", "field"), ("fitness", "field"), ("sport", "field"),
    ("music", "notes"), ("dance", "notes"), ("sing", "notes"), ("guitar", "notes"), ("piano", "notes"),
    ("game", "pixels"), ("gaming", "pixels"), ("minecraft", "pixels"), ("esport", "pixels"),
    ("space", "stars"), ("astronom", "stars"), ("planet", "stars"), ("rocket", "stars"),
    ("biology", "leaves"), ("environment", "leaves"), ("nature", "leaves"), ("garden", "leaves"),
    ("animal", "leaves"), ("plant", "leaves"),
    ("robot", "gears"), ("engineer", "gears"), ("car", "gears"), ("build", "gears"),
    ("coding", "code"), ("code", "code"), ("program", "code"), ("computer", "code"), ("social", "code"),
    ("photo", "lens"), ("art", "lens"), ("movie", "lens"), ("film", "lens"), ("fashion", "lens"),
    ("draw", "lens"), ("paint", "lens"),
    ("cook", "kitchen"), ("bak", "kitchen"), ("food", "kitchen"),
)
FALLBACK_MOTIF = "waves"


def normalize(interest: str) -> str:
    """'Video Games' / 'video_games' / 'video-games' → 'video-games'."""
    return re.sub(r"[^a-z0-9]+", "-", (interest or "").lower()).strip("-")


def theme_for(interest: str) -> Theme:
    """The theme for an interest slug or name; unknown interests get the generic theme."""
    slug = normalize(interest)
    motif = next((m for keyword, m in MOTIF_KEYWORDS if keyword in slug), FALLBACK_MOTIF)
    return Theme(slug=slug, motif=motif, palette=PALETTES[motif])


def relative_luminance(rgb: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio between two colours (1..21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
