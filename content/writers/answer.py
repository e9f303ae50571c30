"""Answer first: find the textbook sentences that answer *this* question.

Every sentence of the brief's passages that can stand alone (see `sentences.make_standalone`) is a
candidate, from the chosen section and from the next sections retrieval ranked for the question.
Each is scored by the semantic similarity of its embedding to the question's (the embedding provider
already loaded for retrieval), plus the share of the question's terms it contains (IDF-weighted, so
rare words such as "buffer" count more than "change"), with small nudges: definitions for "what is"
questions, causal wording for "why/how" questions, the chosen section, naming the section's key
terms, a sentence of the section's own summary (its key ideas stated briefly; dev answers 66%→70%);
and penalties for sentences far above the target reading grade, sentences that lean on their
context ("this assumption"), and glossary lines for terms the question is not about. The best one or
two sentences are the direct answer, which stands alone: not a sentence that goes on about a thing
only its passage's example introduced ("The wagon is not accelerating vertically ...") or names
quantities by their letters ("Friction f acting on the wheels ..."); nor do those explain or recap
(`explains`): heard without the example, they name a thing the lesson never introduced. An example
answered first is followed by the principle behind it: the one nearest the question, else the one the
book states right after the example (`_principle_after`; dev: answers 72%→74%, within 90 words
49%→51%). The sentences nearest both the question and the answer, told in textbook order, are the "why".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vividly.providers import registry
from vividly.providers.base import ProviderError

from . import LessonBrief, SourcePassage
from .definitions import definition_sentence, is_cross_reference
from .question_forms import (
    COMPARISON_FRAME,
    DOES_VERB,
    FUNCTION_QUESTION,
    HOW_QUESTION,
    WHAT_IS_QUESTION,
    WHY_QUESTION,
    asked_about,
    compared,
    compared_modifiers,
    compares,
    defines,
    explains_asked,
    explains_how,
    function_asked,
    glossary_term,
    made_of_asked,
    names_function,
    only_says_they_differ,
    says_function,
    says_made_of,
    says_only_that_they_differ,
    takes_as_given,
)
from .reading import sentence_grade
from .sentences import (
    CAUSE,
    DEFINITION,
    EXAMPLE,
    Standalone,
    continues_example,
    make_standalone,
    names_by_symbol,
    split_long,
    split_sentences,
    words,
)
from .stemming import stems

#: A sentence naming a function, as a noun ("the role of …") or as what its subject does (`DOES_VERB`).
_FUNCTION = re.compile(rf"\b(functions?|roles?|purposes?|jobs?|tasks?)\b|{DOES_VERB.pattern}", re.I)
_PROCESS = re.compile(r"\b(by|through|when|during|process|then|first|results? in|resulting in|forms?|consists? of|"
                      r"divides?|divided|called)\b", re.I)
#: A law stated, not only named: "Newton's first law states that …", "According to the first law of
#: thermodynamics, energy …", "Le Châtelier's principle says …"; not "The conservation of momentum principle can
#: be applied to systems as diverse as …" or "Rate laws may be derived …" (of the books' 28,159 sentences, 263
#: name a law without stating it).
STATES_LAW = re.compile(r"\bstates? that\b|\baccording to\b[^,]{0,60}\b(law|principle|theorem)\b|"
                        r"\b(law|principle|theorem)\b[^.;]{0,60}\b(is that|says|tells us|holds that|predicts that)\b",
                        re.I)
#: A general statement: a law, a principle, a definition, a tendency (the "because" behind an example).
PRINCIPLE = re.compile(rf"{STATES_LAW.pattern}|\b(tends? to|always|never|in general|is called|are called|"
                       r"is defined as|is known as|means that|depends on|is proportional|the more|the greater)\b", re.I)
#: A law or principle named (a glossary term, a statement's subject).
LAW = re.compile(r"\b(laws?|principle|theorem)\b|\bstates? that\b", re.I)
_NUMBERS = re.compile(r"\d+(\.\d+)?\s*(%|°|kg|g|m|s|mol|l|ml|n|j|w|v|hz|k)\b", re.I)


def cosine(a: list[float] | None, b: list[float] | None) -> float:
    if not a or not b:
        return 0.0
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class Embedder:
    """Embeds texts once per lesson with the configured provider; without one, vectors are None."""

    def __init__(self) -> None:
        self._vectors: dict[str, list[float] | None] = {}
        self.available = True
        try:
            self._provider = registry.get("embeddings")
        except (ProviderError, KeyError, ImportError):
            self._provider, self.available = None, False

    def query(self, text: str) -> list[float] | None:
        key = "q:" + text
        if key not in self._vectors:
            self._vectors[key] = self._call(lambda: self._provider.embed_query(text))
        return self._vectors[key]

    def documents(self, texts: list[str]) -> list[list[float] | None]:
        """Each text's vector, the same whatever else is embedded with it: a provider whose vectors depend on
        their batch (the local int8 model) embeds them one by one, so a sentence's score never moves with
        its companions (+0.15 s for a lesson's ~80 sentences on 2 cores)."""
        missing = [t for t in dict.fromkeys(texts) if "d:" + t not in self._vectors]
        if missing:
            if getattr(self._provider, "batch_invariant", True):
                vectors = self._call(lambda: self._provider.embed_documents(missing).vectors)
            else:
                vectors = [self._call(lambda t=t: self._provider.embed_documents([t]).vectors[0]) for t in missing]
            for text, vector in zip(missing, vectors or [None] * len(missing), strict=True):
                self._vectors["d:" + text] = vector
        return [self._vectors["d:" + t] for t in texts]

    def _call(self, func):
        if not self.available:
            return None
        try:
            return func()
        except ProviderError:
            self.available = False
            return None


@dataclass
class Candidate:
    text: str  # as the lesson would say it (standalone, maybe split into two sentences)
    passage: SourcePassage
    position: tuple[int, int]  # (passage order, sentence index): textbook order
    main: bool  # from the chosen section
    relation: str = ""  # relation its dropped discourse marker signalled
    edited: bool = False
    similarity: float = 0.0
    lexical: float = 0.0
    context: float = 0.0  # relevance of its passage to the question
    grade: float = 0.0
    terms: int = 0  # how many of the section's key terms it names
    anecdote: bool = False  # goes on about an example the passage introduced or a study (not a first thing to say)
    follow_on: str = ""  # of a pair: the sentence said after the one it points back to
    score: float = 0.0
    vector: list[float] | None = field(default=None, repr=False)

    @property
    def words(self) -> int:
        return words(self.text)

    @property
    def borrowed(self) -> bool:
        """Another retrieved section's glossary line: it only names a concept the lesson misses
        (`concept.name_the_concept`), never opens, explains or weighs the question's words."""
        return self.passage.kind == "glossary" and not self.main


#: What was once done in an experiment or a study, told in the past tense with no present-tense verb
#: ("After each generation, the cells were harvested and the DNA was isolated", "In a 1981 study, flies
#: were placed in enclosures"): the steps or the history, not how things are. Evolution's past ("Flowers
#: were derived from leaves") does not count.
_EXPERIMENT_STEP = re.compile(r"\b(was|were)\s+(?:(?:first|then|later|also|again|each)\s+)?(harvested|isolated|"
                              r"placed|grown|measured|exposed|treated|injected|tested|centrifuged|collected|"
                              r"incubated|transferred|mixed|heated|cooled|weighed|observed|recorded|performed|"
                              r"conducted|carried out|done|discovered|invented|proposed|developed|introduced|published|"
                              r"named|awarded)\b")
_STUDY = re.compile(r"\b(1[5-9]\d\d|20[0-2]\d|experiments?|study|studies|researchers?|scientists?|investigators?)\b|"
                    r"\b(was|were) (harvested|isolated|centrifuged|incubated|injected)\b", re.I)
_PRESENT = re.compile(r"\b(is|are|has|have|can|cannot|does|do|will|may|might|must|should)\b")


def narrates(text: str) -> bool:
    """Whether a sentence tells what was once done in a study or a discovery rather than how things are."""
    return bool(_EXPERIMENT_STEP.search(text) and _STUDY.search(text)) and not _PRESENT.search(text)


def candidates(brief: LessonBrief, *, max_words: int, tolerance: int = 8) -> list[Candidate]:
    """Every standalone sentence of the brief's passages, deduplicated, in textbook order."""
    found: list[Candidate] = []
    seen: set[str] = set()
    context = f"{brief.question} {brief.topic_title} {' '.join(brief.key_terms)}"
    # what the other passages talk about (not another section's glossary: its "term: meaning" lines are no prose)
    texts = {p.id: p.text.lower() for p in brief.passages if p.kind != "glossary" or p.topic_id == brief.topic_id}
    usage = " ".join(texts.values())  # how the passages say a glossary term ("the periodic table")
    for passage in sorted(brief.passages, key=lambda p: p.order):
        main = passage.topic_id == brief.topic_id
        if passage.kind == "glossary":
            term, _, meaning = passage.text.partition(":")
            if term.strip() and 4 <= words(meaning) <= max_words and not is_cross_reference(meaning):
                text = definition_sentence(term.strip(), meaning, usage=usage)
                if text.lower() not in seen:
                    seen.add(text.lower())
                    found.append(Candidate(text, passage, (passage.order, 0), main))
            continue
        parts = split_sentences(passage.text)
        elsewhere = " ".join(t for pid, t in texts.items() if pid != passage.id)
        before: Standalone | None = None  # the sentence before, as it stands alone
        for index, raw in enumerate(parts):
            previous = parts[index - 1] if index else ""
            standalone: Standalone | None = make_standalone(raw, previous=previous, context=context,
                                                            max_words=max_words * 2)
            follow_on = ""
            if standalone is None:
                paired = _with_sentence_before(raw, before, previous, max_words=max_words)
                if paired is not None and before is not None:
                    standalone, follow_on = paired, paired.text[len(before.text):].strip()
                before = None
            else:
                before = standalone
            if standalone is None or passage.section_title.lower().startswith(standalone.text.lower().rstrip(".")):
                continue
            text = " ".join(split_long(standalone.text, max_words))
            if any(words(piece) > max_words + tolerance for piece in split_sentences(text)):
                continue
            key = re.sub(r"\W+", " ", text.lower()).strip()
            if key in seen:
                continue
            seen.add(key)
            found.append(Candidate(text, passage, (passage.order, index), main, standalone.relation,
                                   standalone.edited,
                                   anecdote=names_by_symbol(text) or narrates(text)
                                   or continues_example(parts, index, context, elsewhere=elsewhere),
                                   follow_on=follow_on))
    return found


def _with_sentence_before(raw: str, before: Standalone | None, previous: str, *, max_words: int) -> Standalone | None:
    """A sentence that points back ("This phenomenon is exploited in de-icing …", "It is a form of asexual
    reproduction.") said right after the short sentence it points to, as one candidate of two sentences."""
    if before is None or words(before.text) > max_words or not _POINTS_BACK_OPENING.match(raw.strip()):
        return None
    after = make_standalone(raw, previous=previous, adjacent=True, max_words=max_words)
    if after is None or words(before.text) + words(after.text) > max_words + PAIR_TOLERANCE:
        return None  # a pair as long as two lesson sentences crowds out the rest of the why
    return Standalone(f"{before.text} {after.text}", before.edited or after.edited, before.relation)


#: How many candidates (best by passage relevance and question terms) are embedded and scored.
EMBED_LIMIT = 64
#: What a glossary definition loses when its term is not one of the question's key concepts: a line
#: like "Flow-resistive means ..." answers nothing unless the student asked about that term.
GLOSSARY_OFF_CONCEPT = 0.1


#: An opening that points at the sentence before: "This process …", "These are …", "It …", "They …".
_POINTS_BACK_OPENING = re.compile(r"^(This|These|They|Such)\b|^It\b(?! (is|was) (\w+ )?\w+ (that|to)\b)")
PAIR_TOLERANCE = 10  # words a pair may run over one sentence's limit
#: What a pair loses when its second sentence names nothing the question or the section's terms do: it
#: adds words, not the idea.
PAIR_OFF_TOPIC = 0.1
#: A sentence that leans on the text around it ("this assumption", "the scenario", "similar to the", "The answer
#: is the normal force.", "this question").
_CONTEXTUAL = re.compile(r"\b(this|these|that|those|the) (assumption|assumptions|scenario|case|situation|calculation|"
                         r"result|results|equation|value|values|problem|method|approach|experiment|observation|"
                         r"setup|discussion|analysis)\b(?! (from|in)\b)|"
                         r"\b(this|these|those) (solutions?|applications?|purposes?|conditions|circumstances|instances)\b|"
                         r"\bbehind this\b|\bto (understand|see|explain|show) this\b|\bsimilar to the\b|"
                         r"\bthe answers? (is|are|was|lies|lie|to|can|should)\b|\b(this|that|these) questions?\b", re.I)
CONTEXTUAL_PENALTY = 0.05
#: "Reversible reactions, however, may proceed ...": a contrast with the sentence before, which the lesson lacks.
_CONTRASTS_BACK = re.compile(r"^[^,]{1,60},\s*(however|on the other hand|in contrast|by contrast|nevertheless|"
                             r"though),", re.I)
#: "this change", "these surfaces", "each of these" inside a sentence: a pointer to what the book said before.
_POINTER = re.compile(r"\b(this|these|those)\b\s*([\w-]*)\s*([—–:(]?)", re.I)
#: "two such polymers", "In such cases": of the kind the book just described ("such as", "such that" name it).
_SUCH = re.compile(r"(?<!\bas )\bsuch (?!as\b|that\b|an?\b)([\w-]+)\b(?! as\b)", re.I)


def _named_before(noun: str, text: str) -> bool:
    """Whether the sentence itself names the noun a pointer stands for ("the insects ... these insects")."""
    noun = noun.lower()
    return len(noun) > 3 and bool(re.search(rf"\b{re.escape(noun[:-1] if noun.endswith('s') else noun)}", text, re.I))


def _points_back(text: str) -> bool:
    """Whether a demonstrative inside the sentence points at something it does not name itself ("... is
    required to accomplish this change in water", "Plants like these ..."); "the insects ... these insects"
    and "these processes—freezing and condensation" name it. A demonstrative opening the sentence is
    `sentences.make_standalone`'s to resolve; "such" ("two such polymers") is not, wherever it stands."""
    for match in _POINTER.finditer(text):
        if match.start() == 0 or text[:match.start()].endswith(". ") or match.group(3):
            # opening the sentence (or a pair's second, which points at its first), or named right after
            continue
        if not _named_before(match.group(2), text[:match.start()]):
            return True
    return any(not _named_before(match.group(1), text[:match.start()]) for match in _SUCH.finditer(text))


#: "DNA polymerase can then fill in the strand", "ATP can then attach to myosin": the step after one the
#: book just told, which the lesson may not have said. Its own first step ("If ..., then ...", "... which is
#: then extended by ...") stands alone.
_NEXT_STEP = re.compile(r"^(?:(?!\b(?:which|where|and|who|that|if|when|once|after|first)\b)[^,;])*?"
                        r"\b(?:can|could|will|would|may|might|must|is|are|was|were)\s+then\b", re.I)


#: What a sentence loses for a why question when it takes the asked-about fact as its cause: it says what
#: follows from the fact, not why the fact holds.
PREMISE_PENALTY = 0.25
#: What a sentence stating the asked fact and then its cause gains for a why question, in place of the 0.04
#: any sentence with a cause gains: it is the direct answer ("Nitrogen is a very important element to living
#: things, because it is part of nucleotides and amino acids …" over "All living organisms require nitrogen
#: compounds for survival."). Tuning sets: 5 short answers changed, none answered less; fresh40c within 90
#: words 60 → 62 %, dev 47 → 49 %.
EXPLAINS_ASKED_BONUS = 0.1
#: The same for a how question: the asked thing, then the means ("… by …", "… through …"), in place of the 0.03
#: any sentence with a process or cause word gains. Tuning sets: one short answer changed (the nuclear plant
#: now says the fission energy boils water), none answers less; the untouched fresh40b 57.5 → 60 % answered.
EXPLAINS_HOW_BONUS = 0.08
#: "The third line of evidence comes from …", "The second reason is that …": an item of a list the book just began.
_ORDINAL_BACK = re.compile(r"^(the|a) (second|third|fourth|fifth|final|last|next|other|latter|former) "
                           r"(line of evidence|reason|example|case|possibility|option|approach|way)s?\b"
                           r"(?! (in|of|for|to)\b)", re.I)


def leans_on_context(c: Candidate) -> bool:
    """Whether a sentence leans on the text around it ("For the roller coaster, this assumption introduces
    some inaccuracy to the calculation.", "... to accomplish this change in water"): it may answer,
    penalised, but never explains or fills a lesson (in the dev eval's transcripts such phrases went 7 → 4,
    the pointers inside a sentence 26 → 1). So does a contrast with the sentence before ("Some plants,
    however, are heterotrophic"), and the next step of a sequence ("ATP can then attach to myosin")."""
    return bool(_CONTEXTUAL.search(c.text) or _CONTRASTS_BACK.match(c.text) or _NEXT_STEP.match(c.text)
                or _ORDINAL_BACK.match(c.text)) or _points_back(c.text)


def explains(c: Candidate) -> bool:
    """Whether a sentence may explain (the why, a fill, a swap, the recap): it neither leans on its context
    nor goes on about a thing only its passage's example introduced ("The wagon is not accelerating
    vertically ..." heard without the wagon) or what was once done in a study (`narrates`)."""
    return not leans_on_context(c) and not c.anecdote


#: What each of the section's key terms a sentence names adds (up to MAX_TERMS): a sentence that
#: states the idea in the section's own vocabulary teaches more than an anecdote that shares the
#: question's words ("The scenario is very similar to the roller coaster").
TERM_BONUS, MAX_TERMS = 0.03, 3
#: What a sentence of the section's own summary adds: the book's distilled statement of its key ideas.
SUMMARY_BONUS = 0.08


#: The least similarity to the question of a principle or definition said after a weak best answer: below it
#: the second sentence was most often beside the point ("In the formula for ideal mechanical advantage, the
#: distance between screw threads is called pitch …" for why tightrope walkers carry a pole; 6 of the 8
#: second sentences it removed on the tuning sets, with no lesson answering less).
NEAR_PRINCIPLE_FLOOR = 0.35
#: What a definition of the very term a "What is ...?" question names adds, over any definition.
DEFINES_ASKED_BONUS = 0.1
#: What a sentence saying what the asked-about thing does adds: enough to pass the summary's description of
#: it ("Mitochondria are oval-shaped, double membrane organelles …") and a few grades of difficulty.
FUNCTION_ASKED_BONUS = 0.15
#: What a sentence saying what the asked-about thing is made of or caused by adds: more than a summary sentence
#: naming more of the section's key terms gains ("The pressure of a gas may be expressed in the SI unit of pascal
#: or kilopascal, … torr, atmosphere, and bar." beat "Gas pressure is caused by … gas molecules colliding …" at 0.1).
MADE_OF_ASKED_BONUS = 0.15
#: What a sentence that says what both compared things are adds ("Mass is the amount of matter in an object;
#: weight is the force of gravity on it"), half of it for one that only names both.
COMPARES_BONUS = 0.08

def _other_definition(best: Candidate, ranked: list[Candidate], pair: tuple[set[str], set[str]], *,
                      answer_words: int, modifiers: tuple[set[str], set[str]] | None = None) -> Candidate | None:
    """The best sentence defining the compared thing the best sentence does not define (the first, if it
    defines neither), to say right after it; failing that, one defining what sets it apart (`modifiers`:
    "in parallel" for "series and parallel circuits")."""
    undefined = [n for n, term in enumerate(pair) if not defines(best, term)]
    if not undefined:
        return None
    said = stems(best.text)
    n = min(undefined, key=lambda n: pair[n] <= said)  # the one the best sentence does not even name, first
    fits = [c for c in ranked if c is not best and not c.anecdote and best.words + c.words <= answer_words
            and not near_duplicate(best, c)]
    return next((c for c in fits if defines(c, pair[n]) == 1.0),
                next((c for c in fits if modifiers and defines(c, modifiers[n]) == 1.0), None))


def defines_asked_idea(c: Candidate, question: str) -> bool:
    """Whether a glossary line states what the student asked about (its term is in the question) or a law."""
    if c.passage.kind != "glossary":
        return False
    term = stems(glossary_term(c))
    return bool(term and term <= stems(question)) or bool(LAW.search(c.text))


def vocabulary(brief: LessonBrief) -> list[set[str]]:
    """The section's key terms and glossary terms, each as its set of stems ("carrying capacity (K)"
    → {"carri", "capac"})."""
    terms = {re.sub(r"\s*\([^)]*\)", "", t).strip().lower()
             for t in [*brief.key_terms, *(g.get("term", "") for g in brief.glossary)] if t}
    found = [stems(t) for t in sorted(terms) if t and len(t.split()) <= 4]
    return [t for t in found if t]


def score_candidates(found: list[Candidate], brief: LessonBrief, question: str, embedder: Embedder, *,
                     target_grade: float) -> list[Candidate]:
    """Score candidates for answering `question`; returns the scored ones (the rest cannot compete).

    Embedding every sentence of twenty passages takes seconds on a busy CPU, so only the EMBED_LIMIT
    candidates with the best passage relevance and question-term overlap are embedded. Sentences
    harder than the target grade lose a little per grade (beyond a two-grade margin); for a "Make it
    simpler" lesson they lose more, and from the target itself."""
    pair = compared(question)
    asked = stems(question) or stems(brief.topic_title)
    if pair:  # "difference", "same": the comparison's frame, not what it is about
        asked = (asked - COMPARISON_FRAME) or asked
    document_frequency: dict[str, int] = {}
    prose = [c for c in found if not c.borrowed]
    for candidate in prose:
        for s in stems(candidate.text) & asked:
            document_frequency[s] = document_frequency.get(s, 0) + 1
    total = len(prose) or 1
    weight = {s: math.log(1 + total / (1 + document_frequency.get(s, 0))) for s in asked}
    weight_sum = sum(weight.values()) or 1.0
    for c in found:
        c.lexical = sum(weight[s] for s in stems(c.text) & asked) / weight_sum
    main_passages = [p for p in brief.passages if p.kind != "glossary" and p.topic_id == brief.topic_id]

    def relevance(c: Candidate) -> float:
        if c.passage.kind != "glossary":
            return c.passage.relevance
        term = glossary_term(c).lower()  # a term the relevant passages use
        return max((p.relevance for p in main_passages if term and term in p.text.lower()), default=0.0)

    vocab = vocabulary(brief)
    known = set().union(*vocab)
    for c in found:
        c.context = relevance(c)
        if c.passage.kind != "glossary":
            said = stems(c.text)
            c.terms = sum(1 for term in vocab if term <= said)
    # every glossary definition (short) is embedded: they name the section's key concepts
    definitions = [c for c in found if c.passage.kind == "glossary"]
    texts = [c for c in found if c.passage.kind != "glossary"]
    found = definitions + sorted(texts, key=lambda c: -(c.context + c.lexical))[:EMBED_LIMIT]
    question_vector = embedder.query(question)
    for candidate, vector in zip(found, embedder.documents([c.text for c in found]), strict=True):
        candidate.vector = vector
    concepts = key_concepts(definitions, question_vector)
    what_is, does = bool(WHAT_IS_QUESTION.search(question)), bool(FUNCTION_QUESTION.search(question))
    asked_term = asked_about(question)
    made_of, function = made_of_asked(question), function_asked(question)
    why = bool(WHY_QUESTION.search(question))
    how = bool(HOW_QUESTION.search(question))
    for c in found:
        c.similarity = cosine(question_vector, c.vector)
        c.grade = sentence_grade(c.text)
        score = c.similarity + 0.35 * c.context + 0.3 * c.lexical + (0.03 if c.main else 0.0)
        score += TERM_BONUS * min(c.terms, MAX_TERMS)
        if c.passage.summary:
            score += SUMMARY_BONUS
        # the kind of sentence this kind of question wants: a definition, a function, a cause, a mechanism
        if what_is and not does and DEFINITION.search(c.text):
            score += 0.05
        if what_is and not does and asked_term:  # "What is an enzyme?": what an enzyme is, not what a substrate is
            score += DEFINES_ASKED_BONUS * defines(c, asked_term)
        if made_of and says_made_of(c, made_of):  # "What is X made of?": "X is caused by / consists of …"
            score += MADE_OF_ASKED_BONUS
        if function and says_function(c, function):  # "What does X do?": "X … is responsible for …"
            score += FUNCTION_ASKED_BONUS
            if names_function(c, function):  # … and most directly "The main purpose of X is to …"
                score += DEFINES_ASKED_BONUS
        if does and _FUNCTION.search(c.text):
            score += 0.05
        if why and takes_as_given(c.text, asked):
            score -= PREMISE_PENALTY  # "Because salt water is a good conductor, electric fish have evolved …"
        elif why and explains_asked(c.text, asked):
            score += EXPLAINS_ASKED_BONUS  # "Most leaves are usually green, due to the presence of chlorophyll …"
        elif why and CAUSE.search(c.text):
            score += 0.04
        elif how and explains_how(c.text, asked):
            score += EXPLAINS_HOW_BONUS
        elif how and (_PROCESS.search(c.text) or CAUSE.search(c.text)):
            score += 0.03
        for rank, term in enumerate(concepts):  # names a key concept the question is about
            if re.search(rf"\b{re.escape(term)}", c.text, re.I):
                score += 0.06 if rank == 0 else 0.04
                break
        if c.passage.kind == "glossary" and glossary_term(c) not in concepts:
            score -= GLOSSARY_OFF_CONCEPT  # a definition of a term the question is not about
        if _NUMBERS.search(c.text):
            score -= 0.03  # a worked example's numbers, not the idea
        if leans_on_context(c):
            score -= CONTEXTUAL_PENALTY
        if c.follow_on and not stems(c.follow_on) & (asked | known):
            score -= PAIR_OFF_TOPIC  # "… is their inactivity. They occur in low concentrations in the atmosphere."
        if c.edited:
            score -= 0.01
        if brief.simpler:
            score -= 0.03 * max(0.0, c.grade - target_grade)
        else:
            score -= 0.012 * max(0.0, c.grade - (target_grade + 2))
        c.score = score
    return found


#: Share of the shorter sentence's content words that the longer one says too: it adds nothing new
#: ("Arteries take blood away from the heart." after "...; arteries take blood away from the heart, and ...").
CONTAINED = 0.8
MIN_CONTAINED_WORDS = 3


def near_duplicate(a: Candidate, b: Candidate) -> bool:
    """Whether two sentences say the same thing: close embeddings, mostly the same words, or one
    saying little the other does not."""
    if a.vector and b.vector and cosine(a.vector, b.vector) > 0.9:
        return True
    sa, sb = stems(a.text), stems(b.text)
    if not (sa and sb):
        return False
    shared, fewer = len(sa & sb), min(len(sa), len(sb))
    # containment needs a few words to mean anything: "Acidic is a solution in which [H3O+] > [OH−]" has two
    return shared / len(sa | sb) > 0.6 or (fewer >= MIN_CONTAINED_WORDS and shared / fewer >= CONTAINED)


def repeats(c: Candidate, said: Iterable[Candidate]) -> bool:
    """Whether the lesson (`said`) already says what the sentence says, in other words or the same ones."""
    return any(near_duplicate(c, other) for other in said)


#: What a glossary term naming a law or principle ("law of reflection") gains over the section's other terms
#: as the concept a correct answer names: the law is what governs what happens ("convex mirror" is only nearer
#: to "What happens to light when it hits a mirror?" in words).
LAW_TERM_LEAD = 0.1


def key_concepts(definitions: list[Candidate], question_vector: list[float] | None, limit: int = 2,
                 least: float = 0.3) -> list[str]:
    """The section's glossary terms whose definitions are nearest the question: the concepts a
    correct answer names even when the student does not know the word ("inertia", "fusion")."""
    scored = sorted(((cosine(question_vector, c.vector), c) for c in definitions),
                    key=lambda sc: -(sc[0] + LAW_TERM_LEAD * bool(LAW.search(glossary_term(sc[1])))))
    terms = []
    for similarity, c in scored[:limit]:
        term = glossary_term(c)
        if similarity >= least and len(term) > 2:
            terms.append(term)
    return terms


#: An example told as a scenario ("If we put the balloon in a refrigerator, ...", "When you push ...").
_SCENARIO = re.compile(r"^(if|when|once|as|suppose|imagine)\b[^,]*\b(we|you|your|our)\b", re.I)
#: How many passages after an example the book's statement of its principle may come (the same or the next).
PRINCIPLE_AFTER_PASSAGES = 1
#: The least similarity to the question such a statement needs: the example vouches for its relevance
#: ("Charles's law states that the volume ..." shares no word with "Why does a balloon shrink ...?").
PRINCIPLE_AFTER_SIMILARITY = 0.15


def is_example(c: Candidate) -> bool:
    """Whether a sentence tells an example (its dropped "For example," marker, "such as", a scenario with
    "we"/"you") rather than a general statement."""
    return c.relation == "example" or bool(EXAMPLE.search(c.text) or _SCENARIO.search(c.text))


def _principle_after(best: Candidate, ranked: list[Candidate], *, answer_words: int) -> Candidate | None:
    """The first statement of a principle that follows the example `best` in the book (same section, the
    same or the next passage): the textbook's own generalisation of its example."""
    after = [c for c in ranked if c is not best and c.passage.kind != "glossary" and c.position > best.position
             and c.passage.module_id == best.passage.module_id
             and c.position[0] - best.position[0] <= PRINCIPLE_AFTER_PASSAGES
             and PRINCIPLE.search(c.text) and not c.anecdote and c.similarity >= PRINCIPLE_AFTER_SIMILARITY
             and best.words + c.words <= answer_words and not near_duplicate(best, c)]
    return min(after, key=lambda c: c.position, default=None)


#: The least relevance to the question (cosine, whole passage) of another section's passage whose sentence
#: may explain: a sentence can share the question's words while its passage is about something else
#: ("Dead spaces can severely impact breathing ..." in "How do airbags make crashes less deadly?": sentence
#: 0.41, its passage 0.22). Dev: 2 of 53 lessons changed, both for the better (the roller coaster lesson
#: now says its potential energy is converted to kinetic energy); answered 72% → 74%.
BORROWED_PASSAGE_RELEVANCE = 0.3


#: How close to the short answer a sentence of a section the lesson does not teach must be to explain it: it
#: shares the question's words, not the answer's idea, below this ("coral reefs are suffering" in why sand
#: gets hotter than the sea, "Cells can only survive freezing if ..." in why a balloon shrinks in the freezer).
BORROWED_TO_ANSWER = 0.45
#: ... unless it is about as close to the question as the answer itself: then the answer may be what is off.
BORROWED_CLOSE_AS_ANSWER = 0.05


def borrowable(c: Candidate, similarity: float) -> bool:
    """Whether a sentence from a section the lesson does not teach may help explain it: at least
    `similarity` to the question, in a passage that is about the question too."""
    return c.similarity >= similarity and c.passage.relevance >= BORROWED_PASSAGE_RELEVANCE


def on_the_answer(c: Candidate, answer: list[Candidate]) -> bool:
    """Whether a sentence of another section is about the short answer's idea, or as close to the question
    as the answer is (the answer may be what is off)."""
    if not answer:
        return True
    return (max((cosine(c.vector, a.vector) for a in answer), default=0.0) >= BORROWED_TO_ANSWER
            or c.similarity >= answer[0].similarity - BORROWED_CLOSE_AS_ANSWER)


#: What a principle in the best sentence's own passage gains when the answer takes one: a small lead,
#: not a trump (one that merely shares the passage lost to a definition of the asked-about concept:
#: "chromium ... forms a passivating oxide layer" over "chemical change means ...").
SAME_PASSAGE_PRINCIPLE = 0.05


@dataclass
class Selection:
    answer: list[Candidate]
    why: list[Candidate]
    ranked: list[Candidate]  # every candidate, best answer first


def select(found: list[Candidate], question: str, *, answer_words: int, why_words: int,
           why_max: int = 4, glossary: Iterable[Candidate] = ()) -> Selection:
    """The direct answer (one or two sentences) and the why (textbook order). `glossary`: other retrieved
    sections' glossary lines, which only say what the second of two compared things is."""
    ranked = sorted(found, key=lambda c: c.score, reverse=True)
    pair = compared(question)
    if pair:  # "Prokaryotes differ from eukaryotic cells in several ways." teaches nothing: not said at all
        ranked = [c for c in ranked if not says_only_that_they_differ(c, pair)] or ranked
    if not ranked:
        return Selection([], [], [])
    what_is = bool(WHAT_IS_QUESTION.search(question))

    def may_answer(c: Candidate) -> bool:
        """A glossary line answers "what is X?" or a question naming its term ("How does a buffer..."),
        not a why/how question about something else ("Exponential growth means ...")."""
        return what_is or c.passage.kind != "glossary" or stems(glossary_term(c)) <= stems(question)

    # the answer stands alone: not a sentence that goes on about the book's example (it may explain in the why)
    # "What's the difference between mass and weight?": the answer says what each is (the why is chosen as usual)
    def opening_order(c: Candidate) -> tuple[bool, float]:
        """A sentence only saying they differ ("There are many differences between …") opens last."""
        return only_says_they_differ(c), -(c.score + COMPARES_BONUS * compares(c, pair))

    by_answer = sorted(ranked, key=opening_order) if pair else ranked
    best = next((c for c in by_answer if may_answer(c) and not c.anecdote and not leans_on_context(c)),
                next((c for c in by_answer if may_answer(c) and not c.anecdote),
                     next((c for c in by_answer if may_answer(c)), by_answer[0])))
    answer = [best]

    def side_definition(c: Candidate) -> bool:
        """A glossary line defining neither what was asked nor what the answer says ("Tissue is ...")."""
        return c.passage.kind == "glossary" and not defines_asked_idea(c, f"{question} {best.text}")

    covered = stems(best.text)
    asked = stems(question)
    if pair and compares(best, pair) < 1:  # "Velocity is ... speed and direction": say what the other one is too
        others = sorted([*ranked, *glossary], key=lambda c: c.score, reverse=True)
        other = _other_definition(best, others, pair, answer_words=answer_words,
                                  modifiers=compared_modifiers(question))
        if other is not None:
            answer.append(other)
    elif not pair and not PRINCIPLE.search(best.text):  # an example or a fact answered first: add its principle
        near = [c for c in ranked if c is not best and (PRINCIPLE.search(c.text) or DEFINITION.search(c.text))
                and may_answer(c) and explains(c) and not side_definition(c)
                and best.words + c.words <= answer_words
                and (c.passage.module_id == best.passage.module_id or c.main) and not near_duplicate(best, c)
                and c.similarity >= max(NEAR_PRINCIPLE_FLOOR, min(best.similarity - 0.2, 0.4)) and c.score >= best.score - 0.35]
        if near:  # the principle most similar to the question, one in the answer's own passage a little ahead
            answer.append(max(near, key=lambda c: c.similarity + SAME_PASSAGE_PRINCIPLE * (c.passage.id == best.passage.id)))
        elif is_example(best):  # none close to the question: the one the book states right after its example
            after = _principle_after(best, ranked, answer_words=answer_words)
            if after is not None:
                answer.append(after)
    complete = len(answer) > 1 or bool(pair and compares(best, pair) == 1)  # a comparison said both
    for c in [c for c in ranked[:8] if c is not best] if not complete else []:
        if (c.score < best.score - 0.08 or best.words + c.words > answer_words or near_duplicate(best, c)
                or side_definition(c) or leans_on_context(c)
                or (c.anecdote and not best.anecdote)
                or c.passage.module_id != best.passage.module_id or c.similarity < best.similarity - 0.08):
            continue
        continues = c.passage.id == best.passage.id and c.position[1] == best.position[1] + 1
        adds = bool((stems(c.text) & asked) - covered)
        if continues or adds:
            answer.append(c)
            break
    # the best sentence opens; a continuation or principle follows it
    answer_vectors = [c.vector for c in answer if c.vector]
    pool = [c for c in ranked if c not in answer and not any(near_duplicate(c, a) for a in answer)]

    def why_score(c: Candidate) -> float:
        to_answer = max((cosine(c.vector, v) for v in answer_vectors), default=0.0)
        causal = 0.03 if CAUSE.search(c.text) else 0.0
        same = 0.03 if c.passage.id in {a.passage.id for a in answer} else 0.0
        if any(c.passage.id == a.passage.id and abs(c.position[1] - a.position[1]) <= 2 for a in answer):
            same += 0.04  # the answer's own neighbourhood in the book: the chain around it
        return 0.55 * c.similarity + 0.45 * to_answer + 0.25 * c.lexical + causal + same + (c.score - c.similarity
                                                                                             - 0.3 * c.lexical)

    sections = {a.passage.module_id for a in answer}
    floor = max(0.2, min(best.similarity - 0.3, 0.35))
    # greedy maximal marginal relevance: each next sentence must add something the chosen ones lack
    eligible = [c for c in pool if explains(c) and c.similarity >= floor
                and (c.main or c.passage.module_id in sections
                     or (borrowable(c, min(best.similarity - 0.1, 0.4)) and on_the_answer(c, answer)))]
    base = {id(c): why_score(c) for c in eligible}
    why: list[Candidate] = []
    used = 0
    while eligible and len(why) < why_max and used < why_words:
        def marginal(c: Candidate) -> float:
            overlap = max((cosine(c.vector, w.vector) for w in why), default=0.0)
            return base[id(c)] - 0.35 * max(0.0, overlap - 0.5)
        c = max(eligible, key=marginal)
        eligible.remove(c)
        if used + c.words > why_words + 10 or any(near_duplicate(c, w) for w in why):
            continue
        why.append(c)
        used += c.words
    why.sort(key=lambda c: c.position)
    return Selection(answer, why, ranked)
