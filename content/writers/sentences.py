"""Textbook sentences that can stand alone in a narrated lesson.

The local writer is extractive: every factual sentence is a textbook sentence, lightly edited so it
reads on its own — a leading "Note that"/"Recall that" removed, a leading discourse marker
("However,", "Thus,") dropped when the sentence no longer follows its textbook neighbour, "This
process"/"These cells" resolved to "The process"/"The cells" when the noun is already in play, a
bare leading pronoun ("It", "They") replaced by the previous sentence's subject when that subject is
a short noun phrase — or the sentence is rejected. Long sentences are split only at safe boundaries
(a semicolon, ", but", ", so"). The connective between two lesson sentences is chosen from the
relation the second sentence carries (contrast, consequence, example); elaboration needs none.

Hand-written on purpose: sentence segmenters in well-kept libraries (NLTK punkt, spaCy) need model
downloads or add hundreds of MB for a job these regexes do well on OpenStax prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "Fig.", "Dr.", "Mr.", "Ms.", "St.", "No.", "al.")
#: Also before what is left of "Figure 9.8 shows three different pulley systems." once the ingester strips the
#: figure (202 places in the books): a fragment of its own, which no lesson says, not the end of the sentence before.
_SPLIT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9]|\[\[EQ|(?:shows|illustrates|summarizes|lists|compares|"
                    r"presents|depicts|gives|provides|outlines|demonstrates)\b)")
_EQUATION = re.compile(r"(?<![\w=])([A-Za-z](?:_\w+)?\s*=\s*[^\s.=][^=]*?)(?=\s+[A-Z][a-z]|\s*$|\.\s)")

#: Sentences about the book, figures, media or the reader's tasks rather than the science. Words the
#: science uses too are matched only as the book's apparatus: "solution" as a worked example's label (not
#: "a solution of salt"), "table" but not the periodic table or table salt, "image" as a picture on the
#: page (not a lens's image), "above"/"below" as a pointer ("described below", not "below freezing"),
#: "exercise" as the reader's (not "during exercise").
_OFF_TOPIC = re.compile(
    r"\b(figure|fig\.|(?<!periodic )(?<!periodic-)table(?! salt| sugar)|click|https?:|www\.|link to learning|"
    r"this (section|chapter|module|video|activity|lab)|"
    r"you will|you'll|learning objectives?|see (the )?(figure|table|example|appendix)|credit|(?<!been )shown(?! that)|"
    r"pictured|illustrated|illustrations?|depicted|photo|(left|right|top|bottom|middle)[- ](hand )?image|"
    r"arrows?|labell?ed|(?<!phase )(?<!orbital )diagrams?|drawing|graphs?|sketch|video|watch|teacher|"
    r"students? (should|will|can)|you are (probably |already )?familiar with|"
    r"(next|previous|following|preceding|last|earlier|later) (section|chapter|module|example|paragraph|equation|figure)|"
    r"the following|as follows|(shown|listed|given|described|discussed|discuss|outlined|see|presented|mentioned|"
    r"noted|summarized|defined|illustrated|derived|explained|explored?|examined?|introduced|provided|stated|"
    r"indicated|data|table|list|steps|equations?|examples?|diagrams?) (above|below)|appendix|"
    r"(this|the|following|these|each|in-text) exercises?|problem|solution (to|of) (this|the|each|part)|"
    r"(will|shall) be (discussed|described|covered|examined|explored|considered|presented|introduced|addressed)|"
    r"problem-solving|check your (understanding|learning)|you (have )?demonstrated|you (are|were) (correct|right)|"
    r"(trick|way) (for|to) remember(ing)?|"
    r"discussion|khan academy|simulation|visit (this|the) (site|website|page)|worked example|let us|let's|we will|we'll|"
    r"as we (saw|have seen|have just seen|learned|discussed)|recall from|in this (case|example)|micrograph|visual connection|everyday connection|career connection|(section|chapter|figure|table|example|equation) \d+(\.\d+)*|"
    r"this fact|these facts|in spite of this|despite this|our theme|the above|(internet|online|web|quick) search|"
    r"search (online|the (internet|web))|^the phrase|"
    r"before (we|proceeding|discussing|learning|applying|considering|examining|exploring|describing|studying|"
    r"going on|moving on|turning to|looking at)|be sure (that )?you|it is (important|necessary|helpful|useful) to "
    r"(become familiar|first|review)|you (may|might) (remember|recall)|a (deeper|better|good|basic) understanding of|"
    r"(one|you|we) (must|need to|should|has to|have to) first (understand|know|learn|review|consider)|"
    r"^to (understand|see|appreciate|explain) (how|why|what|this|the))\b|\[[A-Z]{2}\]|"
    r"^(?-i:(Solution|Strategy|Answer)\s+[A-Z(])|\b(answer|result):",
    re.I)
#: A figure/table reference whose target was stripped by the ingester ("shown in , which").
_STUB = re.compile(r"\b(in|see|of|to|from|and)\s*[,.;:)]|\(\s*\)|\(\s*(see|a|b|c)\b[^)]*\)|\s,\s*,|"
                   r"\b(in|of)\s+(is|are|was|were)\b|"  # "The vertebrate in [Figure] is ..."
                   r"\bin\s+(if|when|because)\b|"  # "... the left and right circuits in [Figure] if we use ..."
                   r",\s*(shows|illustrates|depicts)\s+(?!that\b)")  # "In a polar bond, [Figure] shows atoms ..."
#: Instructions to the reader (activities, exercises), not statements.
_IMPERATIVE = re.compile(r"^(try|imagine|suppose|consider|think|look|see|use|compare|calculate|find|explain|describe|"
                         r"predict|draw|make|place|observe|record|repeat|measure|write|list|identify|discuss|"
                         r"determine|assume|recall|review|go|click|open|set|take|put|hold|turn|add|mix|do|tie|"
                         r"build|choose|pour|fill|attach|connect|hang|never|always|avoid|wear|don't|be careful|stop the|"
                         r"estimate|convert|analy[sz]e|classify|justify|evaluate|"
                         r"be sure|let's|let us|\w+ yourself)\b", re.I)  # "Amuse yourself by building circuits …"
#: An instruction after an opening phrase ("To visualize this, imagine taking ...", "As another example,
#: consider the conversion of diamond into graphite"): the main clause tells the reader what to do.
_LATE_IMPERATIVE = re.compile(r"^[^,]{0,80},\s*(imagine|consider|suppose|picture|recall|note|notice|think about|"
                              r"look at)\b", re.I)
#: Hands-on activity boxes: materials lists ("1 ball; 1 board; ..."), procedure steps, instructions.
_ACTIVITY = re.compile(r"\b(procedure|instructions|materials)\s*:|\binstructions\s+procedure\b|"
                       r"\bin this (activity|lab)\b|;[^;]*;|\byour (lab )?partner\b|^have your\b", re.I)
#: A box's title run into its first sentence ("Bent Pencil: A classic observation of refraction ...").
_BOX_TITLE = re.compile(r"^(?:[A-Z][\w'’-]*\s+(?:(?:of|the|and|a|an|in|on|to|for|with|by|at|from|as)\s+)*){0,6}"
                        r"[A-Z][\w'’-]*:\s+(?=[A-Z])")
#: What the book says when it points back at itself ("as discussed", "we have learned").
_RECALL_VERBS = "(discussed|mentioned|noted|described|seen|saw|learned|explained|stated|covered|studied|introduced|" \
                "explored|examined)"
#: "As discussed previously, ...", "As we have seen, ...": the book recalls a fact it stated earlier, and
#: the fact itself stands alone (about 60 sentences of the three books). "As shown in [a figure]" is not one.
_RECALLED = re.compile(rf"^as ((we|you) )?(have )?(already |previously |earlier )?{_RECALL_VERBS}( (previously|earlier|"
                       r"above|before|in (the|a|an) (previous|earlier|other|another) (section|chapter)( of this "
                       r"(text|book))?|in the chapter on [^,]{1,40}))?,\s*", re.I)
#: "..., as we have discussed earlier." closing a sentence: dropped, the fact stands alone.
_RECALLED_AFTER = re.compile(rf",\s*as (we|you) (have )?(already |previously )?{_RECALL_VERBS}"
                             r"( (earlier|above|before|previously))?[.!]$", re.I)
#: The book telling its own story ("we have discussed", "you have learned about"): about the book, not the science.
_BOOK_NARRATIVE = re.compile(rf"\b(we|you) (have )?(previously |already |just |briefly )?{_RECALL_VERBS}\b", re.I)
#: Titles of a worked example's parts: what follows works the book's problem, it states no fact.
_APPARATUS_TITLE = re.compile(r"^(solution|strategy|answer|check your (learning|understanding)|significance|"
                              r"discussion)\s*:", re.I)
#: A sentence that compares with what the book said just before ("Another way ...", "Other safety
#: features, such as airbags, ...", "The same is true ..."): it leans on a sentence the lesson lacks.
_COMPARES_BACK = re.compile(r"^(another|other|the other)\b|^the same (is|holds|applies)\b|"
                            r"^the same (reasoning|logic|argument|idea|approach|analysis|method)\b", re.I)
#: What scientists once believed, a model the book goes on to reject, or a misconception ("Annelids and
#: arthropods were once thought to be closely related", "The dispersive model suggested that ...", "A common
#: misconception is that rockets push on the air"): heard alone, it teaches the wrong idea.
_SUPERSEDED = re.compile(r"\b(was|were) (once |originally |long |previously |formerly |first )?(thought|believed)\b|"
                         r"\b(it|scientists|people|researchers) (once )?(thought|believed)\b|"
                         r"\bmodels? suggested\b|"
                         r"\bmisconceptions? (about [^,]+ )?is that\b|"
                         r"\bpeople (often |sometimes )?misunderstand\b", re.I)
#: One of the models a section compares ("In the conservative model of replication, ..."): unless the
#: student asks about models, it may well be one the book rejects.
_ONE_MODEL = re.compile(r"^in (the|a|an) [\w-]+ model\b", re.I)
#: ... unless the sentence itself says what is known now ("... was thought extinct, until living specimens
#: were found").
_CORRECTED = re.compile(r"\b(now|today|until|but|however|instead|actually|in fact|later|turned out|is known)\b", re.I)
_PRONOUN = re.compile(r"^(It|They|He|She|We|Its|Their|His|Her|Our)\b")
#: A pronoun in the opening clause that the main clause does not resolve either ("Because they use light
#: to make their own food, they are called photoautotrophs"); "When it reaches the lungs, the carbon
#: dioxide ..." names it.
#: Words that open a subordinate clause.
_SUBORDINATORS = "because|since|when|whenever|if|although|though|as|while|whereas|whether|once|unless|until|after|before"
_CLAUSE_PRONOUN = re.compile(rf"^({_SUBORDINATORS})\s+"
                             r"(it|they|he|she)\b[^,]*,\s*(it|they|he|she|this|these)\b", re.I)
#: "In doing so, they strike a barrier …": what was done is in the sentence before.
_DOING_SO = re.compile(r"^(in|by) (so )?doing\b", re.I)
#: "When they don't, the collision is inelastic.": the opening clause leaves out what the book just said.
_ELLIPSIS = re.compile(rf"^({_SUBORDINATORS})\s+(it|they|he|she|this|these|that)\s+(do|does|did|can|will|is|are|was|"
                       r"were|has|have|had|would|could|should)(n't| not)?\s*,", re.I)
_DEMONSTRATIVE = re.compile(r"^(This|These|That|Those|Such)\b\s*(\w+)?")
#: "Many of these safety features …", "Both of these gases …": a demonstrative after a quantifier.
_OF_DEMONSTRATIVE = re.compile(r"^((?:Many|Some|All|Most|Each|One|Both|None|Several|Few|Any|Two|Three) of) "
                               r"(these|those|this|that)\b\s*([\w-]+)?")
_LEAD_INS = re.compile(
    r"^(note that|recall that|remember that|notice that|(you )?(may|might) (already )?have noticed that|"
    r"it is (important|useful|interesting) to "
    r"(note|remember|realize|understand|point out) that|we should (also )?note(, however,)? that|keep in mind that|it turns out that|in fact,|of course,|"
    r"in general,|generally,|basically,|importantly,|interestingly,|surprisingly,|clearly,|"
    r"as (it|you) turns? out,|as (we|you) (all )?(may |might |probably )?know,|(you|we) (already |probably )?know that|"
    r"(just )?as (you|we|one) (might|may|can|could|would) (expect|guess|imagine|predict|suspect),|"
    r"as you are (no doubt |probably |well |likely )?aware,)\s*",
    re.I)
#: Discourse markers that tie a sentence to the one before it in the book.
DISCOURSE = re.compile(
    r"^(however|thus|therefore|hence|consequently|as a result|also|in addition|additionally|furthermore|"
    r"moreover|similarly|likewise|in (much )?(the same|a similar) (way|manner)|instead|otherwise|then|next|"
    r"finally|first|second|third|lastly|"
    r"in other words|that is|in contrast|on the other hand|by contrast|nevertheless|nonetheless|still|"
    r"meanwhile|so|and|but|yet|or|whereas|now|here|in turn|again|accordingly|in this way|this way|in short|in summary|"
    # not the start of a phrase the sentence needs: "In addition to molarity, ...", "First-order ...", "So far"
    r"overall|as such|for this reason|because of this|as mentioned|indeed|after all|conversely|alternatively)\b(?![-'’])"
    r"(?!\s+(to|far|that|of)\b)"
    r",?\s*", re.I)
_REFERS_BACK = re.compile(r"^(for this reason|because of this|in this way|this way|as such|as mentioned|"
                          r"in turn|again|still|then)\b", re.I)
CONTRAST = re.compile(r"\b(however|but|unlike|whereas|in contrast|on the other hand|instead|although|conversely|"
                      r"rather than|not\b.*\bbut)\b", re.I)
CONSEQUENCE = re.compile(r"^(therefore|thus|hence|consequently|as a result|so)\b", re.I)
CAUSE = re.compile(r"\b(because|due to|caused? by|causes?|results? (in|from)|leads? to|so that|allows?|"
                   r"enables?|makes? it|produces?|depends? on|drives?|forces?|in order to|therefore|thus|"
                   r"as a result|which means|when|if)\b", re.I)
EXAMPLE = re.compile(r"\b(for example|for instance|such as|e\.g\.|consider)\b", re.I)
DEFINITION = re.compile(r"\b(is called|are called|is defined as|are defined as|refers? to|is known as|"
                        r"are known as|is termed|means)\b|^[A-Z][\w -]{2,40} (is|are) (a|an|the)\b")
_VERB = re.compile(r"\b(is|are|was|were|be|been|has|have|had|can|could|will|would|may|might|must|does|do|did|"
                   r"\w+(s|ed|es))\b", re.I)
_SUBJECT = re.compile(r"^((?:The|A|An|Each|Every|All|Most|Many|Some)\s+)?([A-Za-z][\w'-]*(?:\s+[a-z][\w'-]*){0,3}?)\s+"
                      r"(is|are|was|were|has|have|can|will|does|do|must|may|consists?|contains?|"
                      r"uses?|makes?|forms?|acts?|moves?|carries|carry|allows?)\b")
#: Words after "This"/"These" that make it a pronoun, not a determiner ("This is", "These show").
_NOT_NOUNS = frozenset({"is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "may",
                        "might", "must", "means", "shows", "show", "allows", "allow", "makes", "make", "causes",
                        "cause", "happens", "occurs", "results", "gives", "leads", "explains", "describes",
                        "also", "does", "do", "did", "not", "in", "of", "way"})
_PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)")
_WORD = re.compile(r"\S+")


def words(text: str) -> int:
    return len(_WORD.findall(text))


def clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text or "").strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return text.replace("“", '"').replace("”", '"').replace("’", "'")


def split_equations(text: str) -> str:
    """Set inline display equations apart as their own 'sentences' ([[EQ ...]]). One that closes a
    parenthesis it did not open ("... no heat to the environment ( Q_c = 0 )") stays where it is: it is an
    aside, which `make_standalone` drops with its parentheses (split, it left "environment]]. ." behind)."""

    def set_apart(match: re.Match) -> str:
        equation = match.group(1)
        if equation.count("(") != equation.count(")"):
            return match.group(0)
        return f" [[EQ {equation.strip()}]]. "

    return _EQUATION.sub(set_apart, text)


#: A list a colon opens, its items joined by the ingester with ".; " ("a molecule must: Contain at least one
#: polar bond.; Have a structure such that ..."): one sentence, or its first item is heard as the whole list.
_COLON_LIST = re.compile(r":\s*(?:[^.;:!?]+\.;\s+)+[^.;:!?]+\.(?!;)")


def _keep_list_whole(match: re.Match) -> str:
    return re.sub(r"\.;\s+", "; ", match.group(0))


_DROPPED_LINK = re.compile(r"(?<=\w) ([.!?])(?=[A-Z][a-z])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage (abbreviations kept whole, display equations set apart)."""
    # a figure link the ingester dropped leaves "… can hear .The loudness …": two sentences, not one
    text = _DROPPED_LINK.sub(r"\1 ", text)
    protected = _COLON_LIST.sub(_keep_list_whole, clean(text))
    protected = re.sub(r"([.!?])\s*;\s+", r"\1 ", protected)  # list items the ingester joined with "; "
    protected = re.sub(r":\s*;\s+", ": ", protected)
    for i, abbreviation in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbreviation, f"\x00{i}\x00")
    parts = _SPLIT.split(split_equations(protected))
    out = []
    for part in parts:
        restored = part
        for i, abbreviation in enumerate(_ABBREVIATIONS):
            restored = restored.replace(f"\x00{i}\x00", abbreviation)
        if restored.strip():
            out.append(restored.strip())
    return out


def _drop_parentheticals(text: str) -> str:
    """Remove asides that do not read aloud well: references, examples lists, long glosses."""
    def replace(match: re.Match) -> str:
        inner = match.group(1).strip()
        if (not inner or re.search(r"\b(see|figure|table|e\.g|i\.e|for example|credit|singular|plural)\b|=", inner, re.I)
                or words(inner) >= 4):
            return ""
        return match.group(0)
    return clean(_FIGURE_POINTER.sub("", _PARENTHETICAL.sub(replace, text)))


#: What is left of "as Figure 2.3 shows" once the ingester strips the figure: ", as shows," reads as nonsense.
_FIGURE_POINTER = re.compile(r",?\s+as (shows|depicts|illustrates|indicates|summarizes)(?=\s*[,.;:])")


#: A noun phrase after the subject that a leading "It" (singular) or "They" (plural) could mean instead.
_OTHER_SINGULAR = re.compile(r"\b(a|an|the|this|that|its|his|her|one)\s+(?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*[^s\W]\b")
_COPULA_PREDICATE = re.compile(r"^\s*(?:is|are|was|were)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?[\w-]+"
                               r"(?=\s+(?:that|which|who|of|in|on|at|for|with|when|where|because|by|to|from)\b|\s*[,.;]|$)")
_OTHER_PLURAL = re.compile(r"\b(the|these|those|their|its|many|some|two|three|several|both)\s+(?:[a-z][\w-]*\s+){0,2}?"
                           r"[a-z][\w-]*s\b")


def antecedent(pronoun: str, previous: str) -> str | None:
    """The previous sentence's subject when it is the only noun phrase a leading "It"/"They" can mean.

    "Enzymes are proteins that speed up chemical reactions. They lower ..." → "Enzymes". With another
    candidate after the subject ("Work is done on an object ... It moves") the reference is ambiguous
    and a wrong guess would state something false ("Work moves"), so None."""
    subject = subject_of(previous)
    if subject is None:
        return None
    plural = subject.split()[-1].lower().endswith("s")
    if (pronoun == "They") != plural:
        return None
    rest = previous[previous.find(subject) + len(subject):]
    rest = _COPULA_PREDICATE.sub("", rest, count=1)  # "is a muscle": the subject itself, not another thing
    if (_OTHER_PLURAL if plural else _OTHER_SINGULAR).search(rest):
        return None
    return subject


def subject_of(sentence: str) -> str | None:
    """A short noun-phrase subject ("The heart", "Enzymes") of a sentence, or None."""
    match = _SUBJECT.match(sentence)
    if not match:
        return None
    phrase = ((match.group(1) or "") + match.group(2)).strip()
    if _PRONOUN.match(phrase) or _DEMONSTRATIVE.match(phrase) or words(phrase) > 4 or "," in phrase:
        return None
    return phrase


@dataclass(frozen=True)
class Standalone:
    text: str
    edited: bool = False  # a lead-in, marker or pronoun was changed
    relation: str = ""  # the relation its dropped marker signalled: consequence, contrast or example


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or first[1:].lower() != first[1:]):
        return text
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


#: Abbreviations the physics book uses as words across sections, defining them once chapters earlier
#: ("As the car descends the first slope, its PE is converted to KE."): a lesson says them in full, as a
#: teacher reading aloud would. Hand-written: a few symbols, not a general acronym expander.
SPOKEN_IN_FULL = {"KE": "kinetic energy", "PE": "potential energy", "IMA": "ideal mechanical advantage",
                  "AMA": "actual mechanical advantage", "EM": "electromagnetic"}
_SPOKEN = re.compile(r"\b(" + "|".join(SPOKEN_IN_FULL) + r")\b(?![\d_=])")


def spell_out(text: str) -> str:
    """`text` with the book's word-like abbreviations (SPOKEN_IN_FULL) said in full."""
    return _SPOKEN.sub(lambda m: SPOKEN_IN_FULL[m.group(1)], text)


def _in_play(noun: str | None, context: str) -> bool:
    """Whether the noun a demonstrative points at ("these compounds") is already in the lesson's context."""
    noun = (noun or "").lower()
    return (len(noun) > 3 and noun not in _NOT_NOUNS
            and bool(re.search(rf"\b{re.escape(noun.rstrip('s'))}", context.lower())))


def make_standalone(sentence: str, *, previous: str = "", context: str = "", adjacent: bool = False,
                    max_words: int = 40) -> Standalone | None:
    """The sentence edited to stand on its own in a lesson, or None if it cannot.

    `previous` is the sentence before it in the book, `context` the words already in play (question,
    title, lesson so far), `adjacent` whether the lesson places it right after `previous`.
    """
    text = spell_out(_drop_parentheticals(clean(sentence)))
    trimmed = False  # a title or a pointer back was cut from the front or the end
    while match := _BOX_TITLE.match(text):  # a feature's kind, then its title ("Engineering: Saving Lives ...: ")
        if _APPARATUS_TITLE.match(match.group()):  # "Solution: ...", "Check Your Learning: ..." work a problem
            return None
        text, trimmed = text[match.end():], True
    if recalled := _RECALLED.match(text):  # "As discussed previously, polar bonds ...": the fact stands alone
        text, trimmed = _upper_first(text[recalled.end():]), True
    if trailing := _RECALLED_AFTER.search(text):  # "... in the form of a biofilm, as we have discussed earlier."
        text, trimmed = text[:trailing.start()] + text[trailing.end() - 1:], True
    if _BOOK_NARRATIVE.search(text):  # "So far, we have discussed current that ...", "Earlier, we examined graphs"
        return None
    if (not text or not text[0].isupper() or not text.endswith((".", "!")) or "?" in text
            or _ACTIVITY.search(text)
            or "[[EQ" in text or "]]" in text or re.search(r"[=^_]|\\|\w:\s*$| \| |\(\d{4}\):\s*\d", text)
            or _OFF_TOPIC.search(text)
            or _STUB.search(text) or text.count("(") != text.count(")") or text.count('"') % 2
            or _IMPERATIVE.match(text) or _LATE_IMPERATIVE.match(text)):
        return None
    edited = trimmed
    stripped = _LEAD_INS.sub("", text)
    if stripped != text:
        text, edited = _upper_first(stripped), True
    relation = ""
    marker = DISCOURSE.match(text) or re.match(r"^for (example|instance),\s*", text, re.I)
    if marker and not adjacent:
        if _REFERS_BACK.match(text):
            return None
        rest = text[marker.end():]
        if not rest or not _VERB.search(rest):
            return None
        word = marker.group(0).lower()
        relation = ("example" if word.startswith("for ") else "consequence" if CONSEQUENCE.match(word)
                    else "contrast" if CONTRAST.match(word) or word.startswith(("by contrast", "nevertheless"))
                    else "")
        text, edited = _upper_first(_LEAD_INS.sub("", rest)), True  # "And, of course, there are …"
        if _IMPERATIVE.match(text):
            return None
    if not adjacent and _COMPARES_BACK.match(text):
        return None
    if _SUPERSEDED.search(text) and not _CORRECTED.search(text):
        return None
    if _ONE_MODEL.match(text) and not re.search(r"\bmodels?\b", context, re.I):
        return None
    quantified = _OF_DEMONSTRATIVE.match(text)
    if quantified and not adjacent:  # "Many of these compounds" → "Many of the compounds" when they are in play
        if not _in_play(quantified.group(3), context):
            return None
        text, edited = f"{quantified.group(1)} the{text[quantified.end(2):]}", True
    demonstrative = _DEMONSTRATIVE.match(text)
    if demonstrative and not adjacent:
        if demonstrative.group(1) in ("This", "That", "These", "Those") and _in_play(demonstrative.group(2), context):
            text, edited = "The " + text[demonstrative.end(1):].lstrip(), True
        else:
            return None
    if (_CLAUSE_PRONOUN.match(text) or _ELLIPSIS.match(text) or _DOING_SO.match(text)) and not adjacent:
        return None
    pronoun = _PRONOUN.match(text)
    if pronoun and not adjacent:
        subject = antecedent(pronoun.group(1), previous) if pronoun.group(1) in ("It", "They") else None
        if subject is None:
            return None
        text, edited = subject + text[pronoun.end():], True
    text = _drop_parentheticals(text)
    if not 6 <= words(text) <= max_words or not _VERB.search(text):
        return None
    return Standalone(text, edited, relation)


#: ", and" before a new clause's subject: a split point, unless it closes a list still open in the head
#: (`_LIST_OPEN`: "Other organisms, such as animals, fungi").
_AND_CLAUSE = r",\s+and\s+(?=(the|a|an|this|these|it|they|each|most|many|some|[A-Z])\b)"
#: Three or more items with no verb among them: the subject of a list still open ("Radio waves, X-rays, ...").
_VERBLESS_LIST = re.compile(r"^(?![^,]*,[^,]*$)(?!.*\b(is|are|was|were|has|have|had|can|could|may|might|must|will|"
                            r"would|does|do|did)\b)[^,]*(,[^,]*){2,}$", re.I)
_LIST_OPEN = re.compile(r"\b(such as|including|like|namely)\b[^;:]*$|"
                        r":\s+(?:(?:the|a|an)\s+)?[\w-]+(?:\s+[\w-]+)?,[^;:]*$", re.I)  # "two chambers: the A, …, and the B"


#: A clause that starts with its verb: split off, it would have no subject ("But have little effect ...");
#: or with a relative pronoun, which needs the clause before it (", but who live ...", ", so that the sounds ...").
_NO_SUBJECT = re.compile(r"^(have|has|had|is|are|was|were|can|could|will|would|may|might|must|do|does|did|be|been|"
                         r"also|still|not|often|usually|only|then|who|whom|whose|which|that\s+(?!is\b)|\w+ed)\b",
                         re.I)
#: What a clause split off after ", but" or ", so" must open with to have a subject of its own: a determiner, a
#: pronoun, a name or number, a plural or -ing noun, or a subordinate clause ("But when heated, …"); not an
#: adverb, verb or preposition ("…, but appear very much alike", "…, but instead corresponded to …", "…, but
#: for the few …": 193 of the books' 940 ", but" clauses open that way).
_OWN_SUBJECT = re.compile(rf"^((the|a|an|this|these|those|that|its|their|his|her|our|your|some|many|most|each|every|"
                          rf"all|no|both|few|several|such|other|another|one|two|three|it|they|he|she|we|you|there|"
                          rf"{_SUBORDINATORS})\b|[A-Z0-9]|\w+(ing|s)\b)")
#: A head that opens a clause only its tail completes: "Not only does the matrix hold cells together" (", but
#: it also ..."), "Since the charge was now known" (no main clause before the split), "If A and B ...; B ...,
#: then ...".
_OPENS_CLAUSE = re.compile(rf"^(not only|{_SUBORDINATORS})\b", re.I)


def _fragment(head: str, tail: str) -> bool:
    """Whether `head` or `tail`, cut apart, would be a fragment: a correlative or a subordinate clause without
    its main clause ("Not only does ...", "Since the charge was known", "Whereas, low levels ...")."""
    if _OPENS_CLAUSE.match(tail) and ("," not in tail or re.match(r"^\w+,", tail)
                                       or tail.lower().startswith("whereas")):
        return True
    if not _OPENS_CLAUSE.match(head):
        return False
    return head.lower().startswith("not only") or "," not in head or bool(re.search(r"\bthen\b", tail))


def split_long(text: str, max_words: int) -> list[str]:
    """Split a long sentence at safe boundaries ("; ", ", but ", ", so ") into shorter ones."""
    if words(text) <= max_words:
        return [text]
    for pattern, joiner in ((r";\s+", ""), (r",\s+but\s+", "But "), (r",\s+so\s+", "So "), (_AND_CLAUSE, "")):
        parts = re.split(pattern, text, maxsplit=1)
        if len(parts) > 1:
            head, tail = parts[0], parts[-1]
            if pattern is _AND_CLAUSE and (_LIST_OPEN.search(head) or _VERBLESS_LIST.match(head)):
                continue  # ", and" closing a list ("such as animals, fungi, and most bacteria, are ...",
                # "Radio waves, X-rays, the radiant heat ..., and the light from your screen are ..."): no boundary
            if (_NO_SUBJECT.match(tail) or _fragment(head, tail)
                    or (joiner in ("But ", "So ") and not _OWN_SUBJECT.match(tail))):
                continue  # ", but have little effect on ...": the tail shares the head's subject
            if words(head) >= 5 and words(tail) >= 5 and _VERB.search(tail):
                tail = joiner + (_lower_first(tail) if joiner else _upper_first(tail))
                head = head.rstrip(",;: ") + "."
                return split_long(head, max_words) + split_long(tail, max_words)
    return [text]


CONNECTIVES = {"consequence": "As a result, ", "contrast": "By contrast, ", "example": "For example, "}


def relation_between(previous: str, sentence: Standalone) -> str:
    """How `sentence` relates to the lesson sentence before it: its dropped marker's relation when the
    two share a content word (so the link is real), else "" (elaboration, definition, cause: no
    connective needed — the sentence carries its own wording)."""
    if not sentence.relation or not previous:
        return ""
    shared = _content(previous) & _content(sentence.text)
    return sentence.relation if shared else ""


def _content(text: str) -> set[str]:
    return {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z]{4,}", text)} - _COMMON


_COMMON = frozenset(["this", "that", "these", "those", "with", "from", "into", "than", "then", "they", "their",
                     "there", "which", "when", "what", "have", "also", "more", "most", "other", "some", "such",
                     "each", "many", "much", "very", "only", "both", "because", "about", "called", "example"])


def with_connective(text: str, prefix: str) -> str:
    return prefix + _lower_first(text) if prefix else text


#: A definite description: "the wagon", "the loaded cart".
_DEFINITE = re.compile(r"\b[Tt]he\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?")
_INTRODUCED = r"\b(a|an|one|two|three|four|another|some)\s+(?:[\w-]+\s+){{0,2}}{noun}(e?s)?\b"
#: Words after "the" that are not a thing an example introduces ("the same", "the other", "the rest").
_NOT_THINGS = frozenset({"same", "other", "first", "second", "third", "last", "next", "most", "least", "following",
                         "rest", "time", "way", "number", "amount", "end", "top", "bottom", "case", "one", "two"})


def singular(word: str) -> str:
    """A plural noun's singular, crudely: "forces" → "force", "wagons" → "wagon"; "mass" and "gas" stay."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


#: A sentence that asks the reader to picture an example: "Consider an air hockey table.", "Imagine a car …".
_EXAMPLE_OPENER = re.compile(r"^(consider|imagine|suppose|picture|think about|take)\b", re.I)


def continues_example(parts: list[str], index: int, context: str = "", elsewhere: str = "") -> bool:
    """Whether sentence `index` of a passage (`parts`) goes on about a particular thing the passage
    introduced ("the wagon is not accelerating ..." after "For example, two children push a third child
    in a wagon"): a definite description whose noun an earlier sentence introduced ("a wagon", "two
    wagons") and neither `context` (the question, the section's title and terms) nor `elsewhere` (the
    lesson's other passages) names: a prop of this passage's example, not the idea. Such a sentence
    makes sense after its example, not as the first thing a lesson says. (Without the `elsewhere` test
    a tenth of all sentences matched, definitions among them: "The myocardium consists of ...".)"""
    nouns = [n for match in _DEFINITE.finditer(clean(parts[index])) for n in match.groups() if n]
    if not nouns or index == 0:
        return False
    earlier = " ".join(parts[:index])
    # "Consider an air hockey table. When the air is turned off, the puck slides …": a thing of the example
    # the sentence before set up, though never introduced as "a puck"
    set_up = bool(_EXAMPLE_OPENER.match(parts[index - 1].strip()))
    said = context.lower()
    for noun in nouns:
        single = singular(noun)
        if (len(single) < 3 or single in _NOT_THINGS or re.search(rf"\b{re.escape(single[:6])}", said)
                or (elsewhere and re.search(rf"\b{re.escape(single)}", elsewhere))):
            continue
        if set_up or re.search(_INTRODUCED.format(noun=re.escape(single)), earlier, re.I):
            return True
    return False


#: A quantity named by its letter, as a worked example or a diagram does ("friction f acting on the
#: wheels", "the weight W of the system", "(K-N)/K").
_SYMBOL = re.compile(r"(?<=[a-z] )(?![aAI]\b)[A-Za-z](?= (?:[a-z]+)\b)|\([A-Za-z][-+/*][A-Za-z]\)")


def names_by_symbol(sentence: str) -> bool:
    """Whether the sentence names a quantity by a letter symbol: it works through a diagram or a
    calculation rather than stating the idea."""
    return bool(_SYMBOL.search(sentence))


def says_term(text: str, term: str) -> bool:
    """Whether `text` says `term` (or its plural) as a phrase of whole words: "ion" is not said by "motion"."""
    return bool(term) and re.search(rf"\b{re.escape(term)}s?\b", text, re.I) is not None
