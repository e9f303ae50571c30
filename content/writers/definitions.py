"""A glossary entry said as a sentence: "adhesion: attraction between water molecules and other
molecules" → "Adhesion is an attraction between water molecules and other molecules."

The books give each meaning as a bare phrase. Joined with "means" it reads like a dictionary
("Adhesion means attraction between ..."); a teacher says "is a", "is the", "are" or "describes".
Hand-written on purpose: the choice needs only the phrase's first words, and a part-of-speech tagger
that could find them (spaCy's, NLTK's) needs a model download, which this offline product must not do.
"""

from __future__ import annotations

import re

from .sentences import clean

#: A meaning that does not start with a noun phrase ("of greater osmotic pressure", "having ...").
_NOT_A_NOUN = re.compile(r"^(of|in|on|at|to|for|with|by|from|having|relating|referring|pertaining|describing|"
                         r"used|able|capable|consisting|containing|being|when|where|how|what|which|that|"
                         r"many|several|most|some|all|more|less|both|each|either|neither|any|every|only|also|"
                         r"two|three|four|\w+ly)\b(?!-)", re.I)  # "three-carbon sugar" is a noun phrase
#: An adverb on an adjective opens a noun phrase: "widely used rechargeable battery", "positively charged ion".
_ADVERB_ADJECTIVE = re.compile(r"^(?!only\b|usually\b|mostly\b|typically\b|generally\b)\w+ly "
                               r"(\w+ed|\w+al|\w+ic|\w+ive|\w+ous|\w+ble|\w+ar|\w+ant|\w+ent|neutral|charged) "
                               r"(?!(in|of|to|with|for|on|at|by|and|or)\b)\w+", re.I)
#: A meaning that starts "the …" without saying it: "first of the three bones", "rate at which …",
#: "bending of a wave …" (a gerund of), "smallest unit of …" (a superlative).
_THE = re.compile(r"^((first|second|third|fourth|last|final|only|main|total|entire|whole|same|sum|\w+most)\b|"
                  r"\w+ \w*(at|in|by) which\b|\w+ing of\b|"
                  # an action or measure of something: "the transport of water", "the study of ..."
                  r"(\w+(tion|sion|ment|ance|ence)|transport|act|process|study|rate|amount|number|loss|gain|flow|"
                  r"use|ability|tendency|capacity|release|breakdown|uptake|spread|exchange|change) of\b)", re.I)
#: Words after a meaning's head noun: "cellular organelles | responsible for", "group | of proteins".
_AFTER_HEAD = frozenset({"of", "that", "which", "who", "whose", "in", "on", "at", "to", "for", "with", "by",
                         "from", "between", "within", "among", "per", "as", "or", "and", "responsible", "used",
                         "when", "where", "containing", "consisting"})
#: Verbs a meaning may open with ("occurs in the walls of hollow organs").
_OPENING_VERBS = frozenset({"occurs", "forms", "acts", "consists", "results", "allows", "contains", "carries",
                            "connects", "produces", "causes", "involves", "includes", "indicates", "represents",
                            "measures", "helps", "lies", "exists", "moves", "serves", "converts", "transports",
                            "surrounds", "covers", "protects", "controls", "regulates", "binds", "separates",
                            "links", "joins", "stores", "determines", "initiates", "prevents", "promotes", "inhibits",
                            "stimulates", "triggers", "catalyzes", "encodes", "secretes", "releases", "absorbs",
                            "emits", "delivers", "maintains", "reduces", "increases", "decreases", "synthesizes"})
_PLURAL = re.compile(r"(?<![sui'])s$")  # not -ss, -us, -is (osmosis)
_LATIN_PLURAL = frozenset({"mitochondria", "bacteria", "data", "phenomena", "criteria", "media", "stomata", "atria",
                           "nuclei", "fungi", "stimuli", "alveoli", "bronchi", "cilia", "flagella", "villi", "algae",
                           "larvae", "vertebrae", "protozoa", "spectra", "taxa", "phyla", "genera", "strata"})
_SINGULAR_S = frozenset({"gas", "lens", "bias", "atlas", "chaos", "pancreas", "canvas", "plexus"})
_SAME_IN_PLURAL = frozenset({"species", "series"})  # the meaning says which: "a species that …", "series are …"
#: A one-word term that names a property, not a thing ("acidic", "endergonic", "porous").
_ADJECTIVE = re.compile(r"^[a-z-]+(ic|ous|ive|ible|able)$", re.I)
_NOT_SUPERLATIVE = frozenset({"interest", "forest", "test", "chest", "crest", "harvest", "request", "contest", "protest",
                              "conquest", "nest", "quest", "rest", "west", "vest", "digest", "arrest"})


#: Heads of a meaning that name a countable thing: its term takes "a"/"an" ("A kidney is an organ …",
#: not "Kidney is an organ …"). Kept to things no substance is defined as ("a protein", "a hormone", "a
#: compound" are also said of hemoglobin, insulin, ammonia, which take no article).
_THING_HEADS = frozenset({"cell", "organism", "organ", "organelle", "device", "instrument", "machine", "plant",
                          "animal", "bone", "gland", "particle", "ion", "atom", "bond", "receptor", "virus", "vessel",
                          "muscle", "tube", "chamber", "sac", "fish", "insect", "bird", "mammal", "tree", "root",
                          "leaf", "flower", "seed", "fruit", "electrode", "circuit", "lens", "mirror", "neuron",
                          "fiber", "opening", "pore", "channel", "structure"})


def _vowel_sound(word: str) -> bool:
    if word.isupper() and len(word) > 1:  # "an RNA", "an ATP"
        return word[:1] in "AEFHILMNORSX"
    first = word.lower()
    return first[:1] in "aeiou" and not re.match(r"(uni|use|usu|uti|ure|eu|one)", first)


def _article(term: str, verb: str, meaning: str) -> str:
    """ "A"/"An" before a singular term defined as a countable thing ("a chamber of the heart"), else ""."""
    if verb not in ("is a", "is an") or not term[:1].islower() or _ADJECTIVE.match(term) or _plural(term.rsplit(maxsplit=1)[-1]):
        return ""
    if _head(meaning).lower().strip(",;:") not in _THING_HEADS:
        return ""
    return "An" if _vowel_sound(term.split(maxsplit=1)[0]) else "A"


def _plural(word: str) -> bool:
    word = word.lower().strip(",;:")
    return word in _LATIN_PLURAL or (word not in _SINGULAR_S and bool(_PLURAL.search(word)))


def _head(meaning: str) -> str:
    """The noun a meaning's opening phrase is about: the last word before its first preposition,
    relative pronoun or participle."""
    words = meaning.split()
    head = words[0] if words else ""
    for index, word in enumerate(words[:6]):
        bare = word.strip(",;:").lower()
        if index and (bare in _AFTER_HEAD or bare.endswith(("ed", "ing")) or word.endswith(",")):
            break
        head = word
    return head


_LAW = re.compile(r"\b(law|principle|rule|theorem|hypothesis|theory)\b", re.I)


def _is_clause(meaning: str) -> bool:
    """Whether the meaning is a statement with its own verb ("diploid stage is the dominant stage")."""
    before_relative = re.split(r"\b(?:that|which|who|whose|where|whereby)\b", " ".join(meaning.split()[:8]))[0]
    # "do" only as "do not": "capacity to supply heat or do work" is a noun phrase
    return bool(re.search(r"\b(is|are|will|can|may|must|would|should)\b|\b(do|does) not\b", before_relative))


def _copula(term: str, meaning: str) -> str:
    """How a term is joined to a bare-phrase meaning: "is a", "is an", "is the", "are", "describes" or,
    where the phrase is no noun phrase, "means" ("Hypertonic means of greater osmotic pressure")."""
    word = meaning.split(" ", 1)[0]
    first = word.lower()
    if _is_clause(meaning) or (_NOT_A_NOUN.match(first) and not _ADVERB_ADJECTIVE.match(meaning)):
        return "means"
    if not first[:1].isalnum() or "=" in " ".join(meaning.split()[:3]):
        return "means"  # a formula: "Relativistic factor means γ = …"
    if re.match(r"^\w+ed (of|by|in|from|to|with|into)\b", meaning):
        return "is"  # "composed of the bones of ..."
    opening = meaning.lower().split()[:2]
    if opening and opening[0] in _OPENING_VERBS and opening[1:] != ["of"]:
        return ""  # "occurs in the walls of hollow organs"
    last = term.rsplit(maxsplit=1)[-1]
    head = _head(meaning)  # "lanthanum and the elements in …" are several
    plural_meaning = _plural(head) or bool(re.match(rf"{re.escape(head)},? and (the|an?|its|their|other)\b", meaning[meaning.find(head):]))
    plural_term = plural_meaning if last.lower() in _SAME_IN_PLURAL else _plural(last)
    if _ADJECTIVE.match(term):
        return "describes" + ("" if plural_meaning else " an" if first[:1] in "aeiou" else " a")
    if plural_meaning or plural_term:  # "Autotrophs are organisms ..."; one plural alone: "means"
        return "are" if plural_meaning and plural_term else "means"
    if _THE.match(meaning) or (re.fullmatch(r"\w{3,}est", first) and first not in _NOT_SUPERLATIVE):
        return "is the"
    return "is an" if _vowel_sound(word) else "is a"


def _spells_out(term: str, meaning: str) -> bool:
    """Whether the term is an abbreviation of the meaning's opening words ("ATP": "adenosine triphosphate")."""
    letters = term.strip()
    if not (letters.isupper() and 2 <= len(letters) <= 6 and letters.isalpha()):
        return False
    opening = "".join(meaning.split()[:len(letters)]).lower()
    position = 0
    for letter in letters.lower():  # each letter in order within the opening words
        position = opening.find(letter, position) + 1
        if not position:
            return False
    return opening[:1] == letters[:1].lower()


#: Determiners before a term in the book's text; a term said with none is a substance or a process ("friction").
_DETERMINER = r"(?:the|a|an|this|that|these|those|its|their|his|her|our|your|each|every|one|any|no)"
#: How much more often the book must say "the X" than "X" or "a X" for a definition to open with "The X".
THE_SHARE = 2


def _book_article(term: str, usage: str) -> str:
    """The article the book says this term with, where it is clear: "The" for one thing ("the periodic table",
    "the hypothalamus": 86 and 74 times, with no article 3 and 7), "A" for one of many ("a metalloid", "an
    antiporter", more often than with no article), else "" ("friction", "conduction")."""
    if not usage or not term[:1].islower() or _plural(term.rsplit(maxsplit=1)[-1]):
        return ""
    name = r"\s+".join(re.escape(w) for w in term.split())
    the = len(re.findall(rf"\bthe\s+{name}\b", usage, re.I))
    one = len(re.findall(rf"\ban?\s+{name}\b", usage, re.I))
    other = len(re.findall(rf"\b{_DETERMINER}\s+{name}\b", usage, re.I)) - the
    bare = len(re.findall(rf"\b{name}\b", usage, re.I)) - the - other
    if the >= 2 and the >= THE_SHARE * (bare + other):
        return "The"
    if one >= 2 and one >= bare:
        return "An" if _vowel_sound(term.split(maxsplit=1)[0]) else "A"
    return ""


#: A glossary entry that only points at another ("cell theory: see unified cell theory"): nothing to say.
_CROSS_REFERENCE = re.compile(r"^\s*(see|also see|compare)\s", re.I)
#: A law's meaning stated as its own sentence ("volume of a given … gas is directly proportional to …", "when
#: matter converts …, there is no …", "all spontaneous processes involve …"): a verb after its opening words.
_STATED_VERBS = (r"is|are|remains?|will|can|cannot|must|equals?|involves?|contains?|changes?|depends?|increases?|"
                 r"decreases?|segregates?|experiences?|occurs?|holds?|acts?")
_STATED = re.compile(rf"\b({_STATED_VERBS})\b", re.I)
#: A law's meaning that opens with its own verb ("specifies that no two electrons …").
_LAW_VERB = re.compile(r"^(specifies|states|says|holds|asserts|predicts)\s+that\b", re.I)
_NOUN_OPENING = re.compile(r"^(a|an|the|all|no|every|each|any|one|two|when|if|whenever|in|for|at)\b", re.I)


def is_cross_reference(meaning: str) -> bool:
    return bool(_CROSS_REFERENCE.match(meaning or ""))


def _law_statement(name: str, meaning: str) -> str:
    """A law, rule or principle said as what it states ("Charles's law states that the volume of … is directly
    proportional …", "The law of segregation states that paired unit factors segregate …"), or "" when its
    meaning is a noun phrase ("a rule that atoms are most stable when …")."""
    subject = name[:1].upper() + name[1:] if re.search(r"\w['’]s?\s", name) else f"The {name}"  # "Charles's law"
    meaning = re.sub(r"^[^:;,]{3,60}:\s+", "", meaning)  # "Newton's first law of motion: a body at rest …"
    if _LAW_VERB.match(meaning):
        return f"{subject} {meaning}."
    before_relative = re.split(r"\b(?:that|which|who|whose|whom)\b", meaning)[0]
    if (re.match(r"^(an?|the)\s+(\w+\s+)?(law|rule|principle|theory|statement|model|guideline|proposal|"
                 r"hypothesis|pattern|relation|equation|set|theorem|concept|tested|suggested|testable|"
                 r"mathematical|chemical|physical|biological)\b", meaning, re.I)
            or not (_is_clause(meaning) or _STATED.search(" ".join(before_relative.split()[1:])))):
        return ""
    # the statement's subject, up to its verb or its first "of"-phrase: "the volume of …", "genes do not …"
    subject_words = re.split(rf"\s(?:of|in|for|with|on|at|from|do|does|{_STATED_VERBS})\b", meaning,
                             flags=re.I)[0].split()
    plural = bool(subject_words) and _plural(subject_words[-1].strip("(),;"))
    lead = "" if _NOUN_OPENING.match(meaning) or plural else "the "
    return f"{subject} states that {lead}{meaning}."


def definition_sentence(term: str, meaning: str, usage: str = "") -> str:
    """The glossary entry `term: meaning` as one sentence a lesson can say; `usage` is text of the book that
    uses the term (its article: "The periodic table is …")."""
    meaning = re.sub(r"^(\([^)]*\)[\s;,]*)+", "", clean(meaning).rstrip("."))  # "(plural: atria) chamber of ..."
    first = meaning.split(" ", 1)[0]
    keep = len(first) > 1 and (first.isupper() or first[1:].lower() != first[1:])
    meaning = meaning if keep else meaning[:1].lower() + meaning[1:]
    name = re.sub(r"\s*\([^)]*\)", "", term)  # "molarity (M)": its abbreviation is not its case
    if _LAW.search(name) and (stated := _law_statement(name, meaning)):
        return stated
    verb = ("is" if _spells_out(name, meaning)  # "ATP is adenosine triphosphate", not "an adenosine …"
            else "is" if re.match(r"^(a|an|the|one|any)\b", meaning, re.I)
            else "" if re.match(r"^(states|says|describes|refers to|is|are)\b", meaning, re.I)
            else _copula(name, meaning))
    head = name.split(" ", 1)[0]
    keep_case = len(head) > 1 and head[:1].islower() and any(ch.isupper() for ch in head[1:])  # pH, mRNA
    said_as = "" if keep_case or not verb.startswith("is") else _book_article(name, usage)
    if said_as == "The" or (said_as and verb in ("is a", "is an")):
        return f"{said_as} {term} {verb} {meaning}."
    if article := (not keep_case and _article(name, verb, meaning)):
        return f"{article} {term} {verb} {meaning}."
    return " ".join(w for w in (term if keep_case else term[:1].upper() + term[1:], verb, meaning) if w) + "."
