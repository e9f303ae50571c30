"""What kind of answer a question asks for, and whether a sentence gives it.

"What is X?" wants X's definition (`asked_about`, `defines`), "What is X made of?" what X consists of or is
caused by (`made_of_asked`, `says_made_of`), "What does X do?" what X does (`function_asked`,
`says_function`), "Why …?" the asked fact with its cause, not what follows from it (`WHY_QUESTION`,
`explains_asked`, `takes_as_given`), "How …?" the asked thing and its means (`explains_how`), "What is the
difference between X and Y?" what each one is (`compared`, `compares`).
`answer.score_candidates` weighs each. Hand-written on purpose: the cues are a handful of question shapes,
and a parser that could read them (spaCy's) needs a model download this offline product must not make.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from .stemming import stems

if TYPE_CHECKING:
    from .answer import Candidate


def glossary_term(candidate: Candidate) -> str:
    return candidate.passage.text.partition(":")[0].strip()


_WHAT_IS_TERM = re.compile(r"^\s*(what|who)\s+(is|are)\s+(an?\s+|the\s+)?(?P<term>[\w' -]+?)\s*\??\s*$", re.I)
_NAMED_AS = re.compile(r"\b(is|are) (called|known as|termed|referred to as)\b", re.I)


def asked_about(question: str) -> set[str]:
    """The stems of the term a "What is X?" question asks about ({"enzym"}), or an empty set."""
    match = _WHAT_IS_TERM.match(question)
    return stems(match.group("term")) if match and len(match.group("term").split()) <= 4 else set()


#: "What is gas pressure really made of?", "What makes up an atom?", "What does blood consist of?"
_MADE_OF_TERM = (
    re.compile(r"^\s*what(?:'s| is| are) (?:an? |the )?(?P<term>[\w' -]+?)(?: really| actually| exactly)?"
               r" (?:made (?:up )?of|composed of|made from)\s*\??\s*$", re.I),
    re.compile(r"^\s*what (?:really |actually )?makes up (?:an? |the )?(?P<term>[\w' -]+?)\s*\??\s*$", re.I),
    re.compile(r"^\s*what (?:does|do) (?:an? |the )?(?P<term>[\w' -]+?) (?:really |actually )?consist of\s*\??\s*$", re.I),
)
#: How a sentence says what its subject is made of, or what it comes from ("Gas pressure is caused by …").
_MADE_OF = re.compile(r"\b(?:is|are) (?:\w+ly )?(?:made (?:up )?of|composed of|comprised of|formed (?:by|from)|caused by|"
                      r"due to)\b|\b(?:consists?|comes?|results?|arises?) (?:of|from)\b", re.I)
_MAKES_UP = re.compile(r"\bmakes? up\b", re.I)  # "The four molecules that make up DNA are called nucleotides."
#: A question that asks what something is or means ("What is an enzyme?", "What does pH mean?").
WHAT_IS_QUESTION = re.compile(r"^\s*(what|who)\s+(is|are|was|were|does|do)\b|\bmean(s|ing)?\b|\bdefin", re.I)
#: A question that asks what something does ("What do ribosomes do?", "the role of …", "What is it used for?").
FUNCTION_QUESTION = re.compile(r"\bwhat (do|does|did)\b.*\b(do|for)\b|\b(role|purpose|function|job|used for)\b",
                               re.I)
#: A question that asks for a mechanism ("How …?", "What happens when …?").
HOW_QUESTION = re.compile(r"\bhow\b|\bwhat happens\b", re.I)
#: A question that asks for a cause ("Why …?", "What makes …?"); "What makes up …?" asks what something is made of.
WHY_QUESTION = re.compile(r"\bwhy\b|\bwhat (makes|causes)\b(?! up\b)", re.I)


#: "What do mitochondria do?", "What is the job of the kidneys?", "What are ribosomes for?", "Why do we need ATP?"
_FUNCTION_TERM = (
    re.compile(r"^\s*what (?:do|does) (?:an? |the |our |your )?(?P<term>[\w' -]+?) (?:really |actually )?do\b", re.I),
    re.compile(r"^\s*what(?:'s| is| are) (?:the )?(?:main )?(?:job|role|function|purpose|use)s? of "
               r"(?:an? |the |our |your )?(?P<term>[\w' -]+?)\s*\??\s*$", re.I),
    re.compile(r"^\s*what (?:is|are) (?:an? |the |our |your )?(?P<term>[\w' -]+?) (?:used )?for\s*\??\s*$", re.I),
    # a purpose asked as a why: "Why do we even have a skeleton?", "Why does our body need ATP?"
    re.compile(r"^\s*why (?:do|does) (?:we|you|i|humans|people|animals|plants|cells|organisms|living things|"
               r"(?:our|your|the) (?:bodies|body|cells))(?: even| really| actually| all)? (?:have|need) "
               r"(?:an? |the |our |two |so many )?(?P<term>(?!to\b)[\w' -]+?)\s*\??\s*$", re.I),
    re.compile(r"^\s*why (?:is|are) (?:an? |the |our )?(?P<term>[\w' -]+?) (?:so |very )?important\s*\??\s*$", re.I),
)


#: A verb saying what its subject does (not the noun "function": "Enzyme function is regulated by …").
DOES_VERB = re.compile(r"\b(?:responsible for|(?:is|are) used (?:to|for)|functions? (?:to|as)|"
                        r"plays? (?:a|an|the) (?:\w+ )?role|produces?|makes?|provides?|allows?|helps?|serves?|"
                        r"carr(?:y|ies)|supplies|generates?|converts?|controls?|protects?|houses?|directs?|"
                        r"filters?|removes?|breaks? down|transports?|stores?|regulates?|performs?)\b", re.I)


def _asked_term(patterns: tuple[re.Pattern, ...], question: str) -> set[str]:
    for pattern in patterns:
        match = pattern.match(question)
        if match and len(match.group("term").split()) <= 4:
            return stems(match.group("term"))
    return set()


def function_asked(question: str) -> set[str]:
    """The stems of what a "What does X do?" question asks about ({"mitochondria"}), or an empty set."""
    return _asked_term(_FUNCTION_TERM, question)


#: "The main purpose of the heart is to pump blood …", "The function of the fruit is seed protection …": the
#: function named (30 of the books' 28,159 sentences); not "The role of X … is not fully understood", "The exact
#: function of X is unknown", "The functions of X are regulated by …".
_FUNCTION_OF = re.compile(r"^(?:the |a |an |one )?(?:\w+ )?(?:jobs?|roles?|functions?|purposes?|tasks?) of "
                          r"(?P<term>[\w' -]+?) (?:(?:is|are|was|were) (?!not\b|un\w+|\w+ed\b|more\b|very\b|still\b)"
                          r"|includes?\b)", re.I)


def names_function(c: Candidate, term: set[str]) -> bool:
    """Whether the sentence names the term's function: "The main purpose of the heart is to pump blood …"."""
    function_of = _FUNCTION_OF.match(c.text)
    return bool(function_of and term and term <= stems(function_of.group("term")))


def says_function(c: Candidate, term: set[str]) -> bool:
    """Whether the sentence says what the term does: the term is its subject (or the glossary line's term)
    and it states a function ("Mitochondria are cellular organelles responsible for …"), or it names the
    term's function ("The main purpose of the heart is to pump blood …")."""
    if c.passage.kind == "glossary":
        return stems(glossary_term(c)) == term and bool(DOES_VERB.search(c.text))
    if names_function(c, term):
        return True
    does = DOES_VERB.search(c.text)
    head = c.text[:does.start()] if does else ""
    if re.search(r"\b(that|which|who)\b", head, re.I) and not re.search(r"^[^,]*\b(is|are)\b(?!.*\b(has|have)\b)", head):
        return False  # the verb of a clause about something else: "Enzymes have an active site that provides …"
    subject = head.split()[:len(term) + 2]  # "The main job of …" is no subject; "In mitochondria, this process" neither
    return bool(does and term and len(head.split()) <= 8 and term <= stems(" ".join(subject))
                and not re.match(r"(in|at|on|during|for|from|with|by|to|of)\b", head, re.I))


#: The cause connective of a sentence that states a fact and then why it holds ("…, due to the presence of …").
_BECAUSE = re.compile(r"\b(because|due to|caused by|as a result of|results? from|since)\b", re.I)
#: How a sentence goes on to say the means ("… by stimulating …"); not "because": "The first microwave ovens were
#: called Radaranges because …" is history, not how a microwave heats.
_BY_WAY_OF = re.compile(r"\b(by|through|using|via)\b", re.I)


def _states_asked_then(connective: re.Pattern, text: str, asked: set[str]) -> bool:
    """Whether the part of the sentence before `connective` says at least half of the question's words and
    a clause of three or more words follows it."""
    found = connective.search(text)
    if not found or len(asked) < 2 or len(text[found.end():].split()) < 3:
        return False
    return len(stems(text[:found.start()]) & asked) >= math.ceil(len(asked) / 2)


def explains_asked(text: str, asked: set[str]) -> bool:
    """Whether the sentence states the question's own fact and then its cause ("Most leaves are usually green,
    due to the presence of chlorophyll …" for "Why are most plants green?"): the direct answer to a why."""
    return _states_asked_then(_BECAUSE, text, asked)


def explains_how(text: str, asked: set[str]) -> bool:
    """Whether the sentence states what a how-question asks about and then the means ("In a nuclear reactor used
    for the production of electricity, the energy released by fission reactions is trapped as thermal energy …"
    for "How does a nuclear power plant make energy?")."""
    return _states_asked_then(_BY_WAY_OF, text, asked)


def made_of_asked(question: str) -> set[str]:
    """The stems of what a "What is X made of?" question asks about ({"ga", "pressur"}), or an empty set."""
    return _asked_term(_MADE_OF_TERM, question)


def says_made_of(c: Candidate, term: set[str]) -> bool:
    """Whether the sentence says what the term is made of or caused by: the term is its subject
    ("Gas pressure is caused by …") or what its parts make up ("… that make up DNA are called …")."""
    said = _MADE_OF.search(c.text)
    if said and term and term <= stems(c.text[:said.start()]) and len(c.text[:said.start()].split()) <= 6:
        return True
    makes_up = _MAKES_UP.search(c.text)
    return bool(makes_up and term and term <= stems(" ".join(c.text[makes_up.end():].split()[:len(term) + 1])))


def defines(c: Candidate, term: set[str]) -> float:
    """How squarely the sentence defines the term: 1 for the term itself (a glossary line for it,
    "<term> is/are/means ...", "... are called <term>"), 0.5 for a kind of it ("A heterogeneous catalyst
    is ..."), 0 otherwise ("Substrate is a molecule on which the enzyme acts")."""
    if c.passage.kind == "glossary":
        named = stems(glossary_term(c))
        return 1.0 if named == term else 0.5 if term < named and len(named) == len(term) + 1 else 0.0
    copula = re.search(r"\b(is|are|refers? to|means)\b", c.text)
    head = re.sub(r"^(a|an|the)\s+", "", c.text[:copula.start()], flags=re.I).split() if copula else []
    if head and len(head) <= len(term) and stems(" ".join(head)) == term:  # "Acids that are ..." is a kind
        return 1.0
    if head and term <= stems(" ".join(head[:len(term) + 1])):
        return 0.5
    called = _NAMED_AS.search(c.text)  # "... are called enzymes", not "... are called weak, and their acid ..."
    return 1.0 if called and term <= stems(" ".join(c.text[called.end():].split()[:len(term) + 1])) else 0.0


#: "What's the difference between X and Y?", "Is X the same as Y?", "X vs Y", "How does X differ from Y?"
_COMPARED = (
    re.compile(r"\bdifference between (?:an? |the )?(?P<a>[\w' -]+?) and (?:an? |the )?(?P<b>[\w' -]+?)\s*\??$", re.I),
    re.compile(r"^\s*(?:is|are) (?:an? |the )?(?P<a>[\w' -]+?) the same(?: thing)? as (?:an? |the )?(?P<b>[\w' -]+?)"
               r"(?: or not)?\s*\??$", re.I),
    re.compile(r"\b(?P<a>[\w'-]+(?: [\w'-]+)?) (?:vs\.?|versus) (?P<b>[\w'-]+(?: [\w'-]+)?)", re.I),
    re.compile(r"\bhow (?:is|are|does|do) (?:an? |the )?(?P<a>[\w' -]+?) differ from (?:an? |the )?(?P<b>[\w' -]+?)"
               r"\s*\??$", re.I),
)
#: The frame words of a comparison question ("difference", "same"), not what it compares.
COMPARISON_FRAME = frozenset({"differ", "same", "real", "compar", "comparison", "versus", "similar"})


def compared(question: str) -> tuple[set[str], set[str]] | None:
    """The stems of the two things a comparison question asks about, or None."""
    for pattern in _COMPARED:
        if match := pattern.search(question):
            a, b = stems(match.group("a")), stems(match.group("b"))
            if a and b and a != b and len(match.group("a").split()) <= 4 and len(match.group("b").split()) <= 4:
                return a, b
    return None


#: "series and parallel circuits": two one-word modifiers sharing the noun after them (no article before the second).
_SHARED_HEAD = re.compile(r"\bdifference between (?:an? |the )?(?P<a>[\w'-]+) and (?P<b>[\w'-]+) [\w'-]+\s*\??$",
                          re.I)


def compared_modifiers(question: str) -> tuple[set[str], set[str]] | None:
    """What tells the two compared things apart when they share a noun ("series and parallel circuits" →
    series, parallel): the book defines "in parallel", not "parallel circuits"."""
    match = _SHARED_HEAD.search(question)
    if not match or match.group("b").lower() in {"a", "an", "the"}:
        return None
    a, b = stems(match.group("a")), stems(match.group("b"))
    return (a, b) if a and b and a != b else None


#: A sentence that only says two things differ or are alike, not how ("There are many differences between
#: prokaryotic and eukaryotic cells.", "Heat is often confused with temperature."; not "a temperature
#: difference"): a how would follow "in that", a colon, a semicolon, "whereas", "because" or "such as".
_DIFFER_OR_ALIKE = re.compile(r"\b(differences? (between|in)|differ(s|ed)? (from|in)|different(?: \w+){0,2} (from|than)|"
                             r"(completely|very|quite) different|similar\w*|share|alike|distinct|confused with)\b",
                             re.I)
_SAYS_HOW = re.compile(r"\bin that\b|[:;]|\b(whereas|because|such as|while|but|unlike)\b", re.I)


def only_says_they_differ(c: Candidate) -> bool:
    """Whether the sentence says that two things differ (or are alike) without saying how."""
    return bool(_DIFFER_OR_ALIKE.search(c.text)) and not _SAYS_HOW.search(c.text)


def says_only_that_they_differ(c: Candidate, pair: tuple[set[str], set[str]] | None) -> bool:
    """Whether the sentence names both compared things and says only that they differ ("Prokaryotes differ from
    eukaryotic cells in several ways."): no step of a comparison's why, no recap."""
    return bool(pair) and only_says_they_differ(c) and all(term <= stems(c.text) for term in pair)


def compares(c: Candidate, pair: tuple[set[str], set[str]]) -> float:
    """1 when the sentence says what each of the pair is (both named, two statements set against each other),
    0.5 when it names both, else 0."""
    said = stems(c.text)
    if not all(term <= said for term in pair):
        return 0.0
    statements = len(re.findall(r"\b(is|are|has|have|does|do|describes?|means?)\b", c.text))
    contrast = re.search(r";|\b(whereas|while|but|unlike|however|instead)\b", c.text, re.I)
    return 1.0 if statements >= 2 and contrast else 0.5


_GIVEN = re.compile(r"^(because|since|as)\s+(?P<given>[^,]+),", re.I)


def takes_as_given(text: str, asked: set[str]) -> bool:
    """Whether the sentence opens with the question's own fact as a cause ("Because salt water is a relatively
    good conductor, …" for "Why is salt water a good conductor?")."""
    given = _GIVEN.match(text)
    if not given or len(asked) < 2:
        return False
    return len(stems(given.group("given")) & asked) >= max(2, math.ceil(len(asked) * 2 / 3))
