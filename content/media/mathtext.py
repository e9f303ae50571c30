"""Typeset equations and chemical formulas for slides with matplotlib's mathtext (no pyplot, no LaTeX).

Equations arrive as the ingested plain text ("F_net = m × a", "a = (F_net)/(m)", "K_a = ([H3O^+][A^−])/([HA])",
"E = (hc)/(λ)", "sqrt(2gh)") or as mathtext between dollar signs; `to_mathtext` turns the plain form
into mathtext (subscripts, superscripts, fractions, roots, upright units and formulas).
`formula_mathtext` does the same for reactions ("2H2 + O2 -> 2H2O", "NaCl(s) → Na+(aq) + Cl-(aq)").
The converters are small hand-written tokenizers: the text is the ingestion's own flattening of
MathML (ingestion/cnxml.py), which no library parses.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from PIL import Image

RGB = tuple[int, int, int]
_ESCAPE = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "#": r"\#", "&": r"\&",
           "~": r"\sim ", "'": r"^{\prime}"}
_SYMBOLS = {"×": r"\times ", "*": r"\times ", "·": r"\cdot ", "÷": r"\div ", "−": "-", "–": "-",
            "≈": r"\approx ", "≠": r"\neq ", "≤": r"\leq ", "≥": r"\geq ", "±": r"\pm ", "∝": r"\propto ",
            "→": r"\rightarrow ", "⟶": r"\rightarrow ", "⇌": r"\rightleftharpoons ", "°": r"^{\circ}",
            "∞": r"\infty "}
_ARROWS = (("<=>", "⇌"), ("<->", "⇌"), ("->", "→"), ("=>", "→"))
_GREEK = "αβγδεζηθικλμνξπρστυφχψωΔΣΩΦΠΛΘΓΨ"
_UNIT_WORDS = frozenset(["kg", "mol", "atm", "Pa", "kPa", "Hz", "kJ", "eV", "mL", "cm", "km", "mm", "nm", "min"])
_UNIT = r"(?:[A-Za-zΩ]{1,3}(?:\^[−-]?\d+)?)"
_UNITS_AFTER_NUMBER = re.compile(r"(?<=\d )(" + _UNIT + r"(?:[/·]" + _UNIT + r")*)(?=$|[\s,;)])")
_FORMULA_TOKEN = re.compile(r"(?:[A-Z][a-z]?\d*|\((?:[A-Z][a-z]?\d*)+\)\d*)+")


def _balanced(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at `start` (-1 if unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _fractions(text: str) -> str:
    """'(a)/(b)' → '\\frac{a}{b}' (innermost first); 'sqrt(x)' → '\\sqrt{x}'."""
    for _ in range(12):
        match = re.search(r"sqrt\(", text)
        if match:
            end = _balanced(text, match.end() - 1)
            if end > 0:
                text = f"{text[:match.start()]}\\sqrt{{{text[match.end():end]}}}{text[end + 1:]}"
                continue
        changed = False
        for i, char in enumerate(text):
            if char != "(":
                continue
            end = _balanced(text, i)
            if end < 0 or not text.startswith(")/(", end):
                continue
            end2 = _balanced(text, end + 2)
            if end2 < 0:
                continue
            numerator, denominator = text[i + 1:end], text[end + 3:end2]
            text = f"{text[:i]}\\frac{{{numerator}}}{{{denominator}}}{text[end2 + 1:]}"
            changed = True
            break
        if not changed:
            break
    return text


def _script(match: re.Match) -> str:
    r"""'_net' → '_{\mathrm{net}}' (a label, upright), '^2' → '^{2}', '^+' → '^{+}'."""
    mark, body = match.group(1), match.group(2).strip("{}")
    if len(body) > 1 and body.isalpha():
        body = r"\mathrm{" + body + "}"
    return f"{mark}{{{body}}}"


def _word(match: re.Match) -> str:
    """Upright units, chemical formulas and words; variables (and products like 'ma', 'nRT') italic."""
    token = match.group(0)
    if _FORMULA_TOKEN.fullmatch(token) and any(c.isdigit() for c in token):
        return r"\mathrm{" + re.sub(r"(\d+)", r"_{\1}", token) + "}"
    if token in _UNIT_WORDS or (len(token) >= 4 and token.isalpha()):
        return r"\mathrm{" + token + "}"
    return token


def to_mathtext(equation: str) -> str:
    """Plain ingested equation text (or '$…$' mathtext, kept) as a mathtext string."""
    text = " ".join((equation or "").split())
    if text.startswith("$") and text.endswith("$") and len(text) > 2:
        return text
    for ascii_arrow, arrow in _ARROWS:
        text = text.replace(ascii_arrow, arrow)
    text = "".join(_ESCAPE.get(c, c) for c in text)
    text = _fractions(text)
    # units after a number upright ("9.81 m/s^2"), then words and formulas (not the \commands made
    # above), then sub/superscripts
    text = _UNITS_AFTER_NUMBER.sub(lambda m: re.sub(r"[A-Za-zΩ]+", r"\\mathrm{\g<0>}", m.group(1)), text)
    text = re.sub(r"(?<![\\A-Za-z])(?<!\\mathrm\{)[A-Za-z]+[A-Za-z0-9]*", _word, text)
    text = re.sub(r"([_^])(\{[^{}]*\}|[+\-−]?[0-9.]+[+\-]?|[+\-]|\\mathrm\{[^{}]*\}|[A-Za-z" + _GREEK + r"]+)",
                  _script, text)
    text = re.sub(r"\s*°\s*([CF])\b", r"{}^{\\circ}\\mathrm{\1}", text)
    text = "".join(_SYMBOLS.get(c, c) for c in text)
    return "$" + re.sub(r"\s+", r"\\ ", text.strip()) + "$"


def _species(token: str) -> str:
    """One species of a reaction: '2H2O' → 2\\mathrm{H_{2}O}, 'Na+(aq)', 'SO4^2-'."""
    match = re.fullmatch(r"(\d*)\s*([A-Za-z()\[\]\d]+?)(\^?[0-9]*[+\-−]+)?(\((?:s|l|g|aq)\))?", token)
    if not match:
        return r"\mathrm{" + "".join(_ESCAPE.get(c, c) for c in token) + "}"
    coefficient, body, charge, phase = match.groups()
    body = re.sub(r"(?<=[A-Za-z)\]])(\d+)", r"_{\1}", body)
    out = coefficient + r"\mathrm{" + body
    if charge:
        out += "^{" + charge.lstrip("^").replace("−", "-") + "}"
    out += "}"
    if phase:
        out += r"\mathrm{" + phase + "}"
    return out


def formula_mathtext(reaction: str) -> str:
    """A reaction or formula with plain digits as mathtext with subscripts, charges and arrows."""
    text = " ".join((reaction or "").split())
    for ascii_arrow, arrow in _ARROWS:
        text = text.replace(ascii_arrow, f" {arrow} ")
    parts = []
    for piece in text.split():
        if piece in ("→", "⟶", "⇌"):
            parts.append(_SYMBOLS[piece].strip())
        else:
            parts.append("+" if piece == "+" else _species(piece))
    return "$" + r"\ ".join(parts) + "$"


@lru_cache(maxsize=1)
def _parser():
    from matplotlib.mathtext import MathTextParser

    return MathTextParser("agg")


@lru_cache(maxsize=512)
def render_math(expr: str, size: int, colour: RGB) -> Image.Image:
    """An RGBA image of the typeset expression at `size` px (DejaVu Sans, matching the slide text).

    Raises ValueError when the expression is not valid mathtext.
    """
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(family="DejaVu Sans", size=size, math_fontfamily="dejavusans")
    parsed = _parser().parse(expr, dpi=72, prop=prop, antialiased=True)
    alpha = np.asarray(parsed.image, dtype=np.uint8)
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, "RGBA")


def typeset(text: str, size: int, colour: RGB, *, formula: bool = False) -> Image.Image:
    """Render plain equation/formula text; falls back to the text itself if mathtext rejects it."""
    expr = formula_mathtext(text) if formula else to_mathtext(text)
    try:
        return render_math(expr, size, colour)
    except ValueError:
        plain = "$\\mathrm{" + "".join(_ESCAPE.get(c, c) for c in text).replace(" ", "\\ ") + "}$"
        return render_math(plain, size, colour)
