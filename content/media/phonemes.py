"""Text → IPA phonemes for the Piper voice, through the Debian `espeak-ng` CLI as a subprocess.

espeak-ng is GPL-3.0-or-later: it never runs inside our Python process (no library binding, no
`piper-tts`/`piper_phonemize`), only as a separate program that reads text and prints IPA. We ask
for the same phonemes Piper's own phonemizer gets from the espeak-ng library (`--ipa`, no ties) and
put back the clause punctuation the CLI leaves out, as Piper does (", " after a comma, "." at the
end), so the voice's pauses and intonation match its training.

`speakable()` rewrites what a reader sees into what a narrator says (units after numbers, symbols);
captions keep the written text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence

from vividly.providers.base import ProviderFatal, ProviderRetryable

# A sentence that marks the boundary between two narrated sentences in one espeak-ng call: one
# process per scene instead of one per sentence (each start costs ~20–50 ms on a busy machine).
SENTINEL = "Zanzibar."
_CLAUSE_PUNCT = re.compile(r"[,;:](?=\s)")
_END_PUNCT = re.compile(r"([.!?])[\"')\]]*\s*$")

# Units read after a number ("12 N" → "12 newtons"). Hand-written: espeak-ng spells symbols out
# letter by letter ("kg" → "K G") and no permissively licensed English text normaliser works offline.
_UNITS = {
    "m/s²": "meters per second squared", "m/s^2": "meters per second squared", "m/s2": "meters per second squared",
    "km/h": "kilometers per hour", "m/s": "meters per second", "kg·m/s": "kilogram meters per second",
    "kg": "kilograms", "g": "grams", "mg": "milligrams", "km": "kilometers", "cm": "centimeters",
    "mm": "millimeters", "nm": "nanometers", "m": "meters", "s": "seconds", "ms": "milliseconds",
    "h": "hours", "N": "newtons", "J": "joules", "kJ": "kilojoules", "W": "watts", "kW": "kilowatts",
    "Hz": "hertz", "kHz": "kilohertz", "V": "volts", "A": "amperes", "Ω": "ohms", "Pa": "pascals",
    "kPa": "kilopascals", "atm": "atmospheres", "mol": "moles", "M": "molar", "L": "liters",
    "mL": "milliliters", "°C": "degrees Celsius", "°F": "degrees Fahrenheit", "K": "kelvins",
    "cal": "calories", "kcal": "kilocalories",
}
_UNIT_ALTERNATIVES = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True) if len(u) > 1)
# one-letter units only after a space ("12 N", never "1990s"); longer ones with or without ("5kg")
_UNIT_RE = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)(?:\s?(" + _UNIT_ALTERNATIVES + r")|\s([a-zA-ZΩ]))(?![\w²^/])")
_SYMBOLS = (("×", " times "), ("÷", " divided by "), ("·", " "),
            ("≈", " about "), ("→", " gives "), ("⟶", " gives "), ("=", " equals "), ("²", " squared"),
            ("³", " cubed"), ("Δ", "change in "), ("λ", "lambda"))


def speakable(text: str) -> str:
    """What the narrator says for `text`: units after numbers in words, symbols as words."""
    text = _UNIT_RE.sub(lambda m: f"{m.group(1)} {_UNITS.get(m.group(2) or m.group(3), m.group(2) or m.group(3))}",
                        text)
    text = re.sub(r"(\d)\s?–\s?(\d)", r"\1 to \2", text)
    text = re.sub(r"\s*[—–]\s*", ", ", text)
    for symbol, words in _SYMBOLS:
        text = text.replace(symbol, words)
    text = re.sub(r"\b([A-Za-z])_(\w+)", r"\1 \2", text)  # F_net → F net
    return " ".join(text.split())


def _terminated(sentence: str) -> str:
    """The sentence with end punctuation, so the next line starts a new clause for espeak-ng."""
    return sentence if _END_PUNCT.search(sentence) else f"{sentence}."


def with_punctuation(sentence: str, clauses: Sequence[str]) -> str:
    """Join espeak-ng's clause lines with the sentence's own clause punctuation, as Piper does."""
    clauses = [c.strip() for c in clauses if c.strip()]
    if not clauses:
        return ""
    end = _END_PUNCT.search(sentence)
    final = end.group(1) if end else "."
    marks = _CLAUSE_PUNCT.findall(sentence)
    if len(marks) != len(clauses) - 1:  # espeak-ng split elsewhere (rare): a comma-length pause
        marks = [","] * (len(clauses) - 1)
    joined = "".join(f"{clause}{mark} " for clause, mark in zip(clauses, marks, strict=False))
    return joined + clauses[-1] + final


class EspeakPhonemizer:
    """IPA phonemes per sentence from the `espeak-ng` program (a subprocess, never a library)."""

    def __init__(self, *, voice: str = "en-us", binary: str = "espeak-ng", timeout: float = 30.0) -> None:
        self.voice = voice
        self.binary = binary
        self.timeout = timeout

    def _run(self, text: str) -> list[str]:
        exe = shutil.which(self.binary)
        if not exe:
            raise ProviderFatal(f"{self.binary} is not installed (apt-get install espeak-ng)")
        try:
            result = subprocess.run([exe, "-q", "-v", self.voice, "--ipa", "--stdin"], input=text.encode(),  # noqa: S603 - espeak-ng resolved by shutil.which; text goes to stdin, never argv
                                    capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ProviderRetryable(f"espeak-ng phonemizer timed out after {self.timeout}s") from exc
        if result.returncode != 0:
            raise ProviderFatal(f"espeak-ng phonemizer failed ({result.returncode}): "
                                f"{result.stderr.decode(errors='replace')[:300]}")
        return [line.strip() for line in result.stdout.decode("utf-8", errors="replace").splitlines()
                if line.strip()]

    def phonemize(self, sentences: Sequence[str]) -> list[str]:
        """One phoneme string per sentence (one espeak-ng run for all of them when it can)."""
        if not sentences:
            return []
        text = "\n".join(f"{SENTINEL}\n{_terminated(s)}" for s in sentences) + f"\n{SENTINEL}\n"
        lines = self._run(text)
        groups = _split_on(lines, lines[0]) if lines else []
        if len(groups) != len(sentences):  # a sentence swallowed a boundary: one run per sentence
            groups = [self._run(_terminated(s)) for s in sentences]
        return [with_punctuation(s, g) for s, g in zip(sentences, groups, strict=True)]


def _split_on(lines: list[str], sentinel: str) -> list[list[str]]:
    """Lines between sentinel lines (the text starts and ends with one)."""
    groups: list[list[str]] = []
    for line in lines:
        if line == sentinel:
            groups.append([])
        elif groups:
            groups[-1].append(line)
    return groups[:-1] if groups and not groups[-1] else groups
