"""What the local writer puts on each teaching slide: the script scene's optional slide keys.

`key_idea` is the narration's one idea, short: the scene's most relevant factual sentence when it is
short, else its main clause (cut before "which", "because", a semicolon...). `example_lines` are the
worked example's computed numbers, one step a line. `sketch` is chosen by idea family (forces on an
object, a wave, a cell, an atom, a reaction; "none" where no sketch fits, so the renderer does not
guess from words such as a battery "cell"), with `sketch_labels` from the worked example's numbers,
the interest's object or the parts the narration names. `reaction` is a chemical equation the
section states (the one in the passages the scene cites first), in the ingested plain form
("2H2O2(aq) ⟶ 2H2O(l) + O2(g)"), which the slide typesets. Meanings: `vividly.providers.base.SlideSpec`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import SourcePassage
from .answer import PRINCIPLE, Candidate
from .worked import WorkedExample

KEY_IDEA_WORDS = 12  # the slide's one idea: at most this many words (SlideSpec: "≤ ~12 words")
_CLAUSE_BREAK = re.compile(r";\s|:\s|\s[–—]\s|,\s(?:which|who|so|because|while|whereas|but|and|as|since|with|where)\s|"
                           r"\s(?:because|which|so that|while|whereas|since)\s")

# --- chemical equations ----------------------------------------------------------------------

#: Element symbols, so "aA + bB ⇌ cC + dD" (a general form) or "A ⟶ B" is not taken for a reaction.
#: Hand-written: a fixed 118-item list is simpler than a dependency.
ELEMENTS = frozenset((
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
    "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",
    "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce",
    "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir",
    "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm",
    "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl",
    "Mc", "Lv", "Ts", "Og",
))
_FORMULA = r"(?:[A-Z][a-z]?\d*|\((?:[A-Z][a-z]?\d*)+\)\d*)+"
_SPECIES = rf"(?:\d+\s?)?(?:{_FORMULA}|e)(?:\^\d*[+−-])?(?:\((?:s|l|g|aq)\))?"
_SIDE = rf"{_SPECIES}(?:\s\+\s{_SPECIES})*"
REACTION = re.compile(rf"(?<![\w^()/]){_SIDE}\s(?:⟶|→|⇌)\s{_SIDE}(?![\w^(])")
MAX_REACTION_CHARS = 64  # longer ones do not stay legible on a phone


def _real_formula(species: str) -> bool:
    core = re.sub(r"^\d+\s?|\^.*$|\((?:s|l|g|aq)\)$", "", species)
    if core == "e":
        return True
    symbols = re.findall(r"[A-Z][a-z]?", core)
    return bool(symbols) and all(s in ELEMENTS for s in symbols)


def reactions_in(text: str) -> list[str]:
    """Chemical equations stated in a passage's text, in order (short enough for a slide)."""
    found = []
    text = text or ""
    for match in REACTION.finditer(text):
        if text[:match.start()].rstrip().endswith(("+", "/")) or text[match.end():].lstrip().startswith(("+", "/", "(")):
            continue  # only part of an equation (a fraction or an unknown species cut it)
        reaction = match.group().strip()
        species = re.split(r"\s\+\s|\s(?:⟶|→|⇌)\s", reaction)
        if len(reaction) <= MAX_REACTION_CHARS and len(species) >= 2 and all(_real_formula(s) for s in species):
            found.append(reaction)
    return found


def find_reaction(cited: Iterable[SourcePassage], section: Iterable[SourcePassage]) -> str:
    """The first equation in the passages the lesson cites (in citation order), else in the section."""
    seen: set[str] = set()
    for passage in [*cited, *section]:
        if passage.id in seen or passage.kind == "glossary":
            continue
        seen.add(passage.id)
        found = reactions_in(passage.text)
        if found:
            return found[0]
    return ""


# --- key idea -------------------------------------------------------------------------------

def _words(text: str) -> int:
    return len(text.split())


def _main_clause(text: str) -> str:
    return _CLAUSE_BREAK.split(text.strip().rstrip("."), maxsplit=1)[0].strip().rstrip(",")


def key_idea(items: Iterable[Candidate], *, limit: int = KEY_IDEA_WORDS) -> str:
    """The scene's one idea in at most `limit` words: the most relevant short sentence, else the main
    clause of the most relevant one that has a short main clause, else the best one cut at `limit`."""
    ranked = sorted(items, key=lambda c: c.score + (0.03 if PRINCIPLE.search(c.text) else 0.0), reverse=True)
    if not ranked:
        return ""
    for c in ranked[:2]:
        if _words(c.text) <= limit:
            return c.text.rstrip(".")
    for c in ranked:
        clause = _main_clause(c.text)
        if 4 <= _words(clause) <= limit:
            return clause
    return " ".join(ranked[0].text.split()[:limit]).rstrip(",;:") + "…"


def short_phrase(text: str, *, limit: int = KEY_IDEA_WORDS) -> str:
    """A framing or rule sentence as a slide phrase: capitalised, no full stop, its main clause if long."""
    text = text.strip().rstrip(".")
    if _words(text) > limit:
        text = _main_clause(text)
    if _words(text) > limit:
        return ""
    return text[:1].upper() + text[1:]


# --- sketches -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sketch:
    kind: str  # "forces" | "wave" | "cell" | "atom" | "reaction" | "none"
    labels: tuple[str, ...] = ()
    reaction: str = ""

    def keys(self) -> dict[str, object]:
        keys: dict[str, object] = {"sketch": self.kind, "sketch_labels": list(self.labels)}
        if self.reaction:
            keys["reaction"] = self.reaction
        return keys


NONE = Sketch("none")
CHEMICAL_FAMILIES = frozenset({"reactions", "acids_bases", "solutions", "gases", "matter_bonding", "heat_thermo",
                               "cell_energy"})
#: Sketch labels stay short: a side arrow's label has about 170 px (one word a line, two lines).
#: The parts a cell sketch can label (content/media/sketches.py), as the narration may name them.
_CELL_PARTS = (("nucleus", r"\bnucle(us|i)\b"), ("mitochondrion", r"\bmitochondri"),
               ("cell membrane", r"\b(plasma|cell) membrane|\bmembrane"), ("ribosome", r"\bribosom"),
               ("chloroplast", r"\bchloroplast"), ("cell wall", r"\bcell wall"), ("vacuole", r"\bvacuole"),
               ("cytoplasm", r"\bcytoplasm"))
_FORCE_WORDS = (("left: Friction", r"\bfriction"), ("down: Weight", r"\b(weight|gravity|gravitational)\b"),
                ("up: Normal force", r"\bnormal force"), ("left: Drag", r"\b(air resistance|drag)\b"),
                ("up: Tension", r"\btension"))


def _number(line: str) -> str:
    """The value and unit after '=' or '≈' on a worked-example line ("m = 0.62 kg (ball)" → "0.62 kg")."""
    match = re.search(r"[=≈]\s*([^=≈(]+?)\s*(?:\(|$)", line)
    return match.group(1).strip() if match else ""


def _given(worked: WorkedExample, symbol: str) -> str:
    for line in worked.givens:
        if line.split("=", 1)[0].strip() == symbol:
            return _number(line)
    return ""


def sketch_name(thing: str) -> str:
    """A short name for a sketch's object ("kayak with its paddler" → "kayak"): one line on the slide."""
    name = re.split(r"\s(?:with|on|in|you|sliding|across|for|at)\s", thing, maxsplit=1)[0].strip()
    return name if len(name) <= 16 else name.split()[-1]


def worked_sketch(worked: WorkedExample, obj: str) -> Sketch | None:
    """A sketch labelled with the worked example's numbers, where its relationship has one."""
    result = re.split(r"[=≈]", worked.result)[-1].strip()
    key = worked.key
    if key == "newton2":
        return Sketch("forces", (f"right: Force {_given(worked, 'F_net')}", obj))  # the net force
    if key in ("momentum", "kinetic"):
        return Sketch("forces", (f"right: Velocity {_given(worked, 'v')}", obj))
    if key == "centripetal":
        return Sketch("forces", (f"right: Velocity {_given(worked, 'v')}", "down: Inward",
                                 obj))
    if key in ("torque", "work"):
        return Sketch("forces", (f"right: Force {_given(worked, 'F')}", obj))
    if key == "weight":
        return Sketch("forces", (f"down: Weight {result}", obj))
    if key == "potential":
        return Sketch("forces", (f"up: Lifted {_given(worked, 'h')}", "down: Weight", obj))
    if key == "wave_speed":
        return Sketch("wave", (f"wavelength {result}", "amplitude"))
    if key == "light_speed":
        return Sketch("wave", (f"wavelength {_given(worked, 'λ')}", "amplitude"))
    if key == "half_life":
        return Sketch("atom", ("unstable nucleus", "electron"))
    return None


def family_sketch(family: str, narration: str, *, obj: str, reaction: str = "") -> Sketch:
    """The sketch for an idea family, labelled from what the narration names."""
    text = narration.lower()
    if reaction and (family in CHEMICAL_FAMILIES or family == "atoms_nuclear"):
        return Sketch("reaction", ("reactants → products",), reaction)
    if family == "forces_motion" or (family == "energy_work" and re.search(r"\bwork\b|\bforce", text)):
        arrows = [label for label, pattern in _FORCE_WORDS if re.search(pattern, text)][:2]
        return Sketch("forces", ("right: Push" if arrows else "right: Net force", *arrows, obj))
    if family == "waves_sound" or (family == "light_optics" and re.search(r"wavelength|frequenc|spectrum", text)):
        return Sketch("wave", ("wavelength", "amplitude"))
    if family in ("cells", "cell_energy"):
        parts = [name for name, pattern in _CELL_PARTS if re.search(pattern, text)]
        if family == "cell_energy" and not parts:
            parts = ["chloroplast" if "photosynth" in text else "mitochondrion", "cell membrane"]
        return Sketch("cell", tuple(dict.fromkeys(parts or ["nucleus", "mitochondrion", "cell membrane"]))[:4])
    if family == "atoms_nuclear" and re.search(r"\b(atom|proton|neutron|electron|nucle)", text):
        labels = ["nucleus: protons and neutrons" if re.search(r"proton|neutron", text) else "nucleus"]
        return Sketch("atom", (*labels, "electron"))
    return NONE
