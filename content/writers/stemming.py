"""Word stems for matching a question's words to the books' ("molarity" and "molar" meet at "molar").

The same Snowball (Porter 2) stemmer as BM25 search, over content words only: function words and the
question's frame words ("what", "happen", "really", "explain") never count as what it is about.
"""

from __future__ import annotations

import re

import Stemmer

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_STOP = frozenset(
    ["the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "from", "into", "than", "then", "so", "such", "can", "may", "will", "would", "could", "should", "has", "have", "had", "not", "no", "but", "if", "when", "which", "what", "who", "whom", "how", "why", "there", "their", "they", "them", "we", "you", "your", "our", "also", "more", "most", "other", "some", "any", "each", "do", "does", "did", "doing", "done", "about", "between", "happen", "happens", "happening", "make", "makes", "made", "get", "gets", "got", "thing", "things", "stuff", "really", "actually", "just", "like", "explain", "tell", "teach", "me", "my", "i", "mean", "means", "work", "works", "way", "ways", "kind", "kinds", "lot", "lots", "much", "many"])

_SNOWBALL = Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball (Porter 2) stem, as BM25 search uses: "molarity" and "molar" meet at "molar"."""
    return _SNOWBALL.stemWord(word.lower().strip("'-"))


def stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2}
