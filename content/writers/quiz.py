"""Quizzes that check understanding: three multiple-choice questions with cited explanations.

1. The section's own practice item, when one fits the student's question (embedding similarity of
   the item to the question and its answer) and reads on its own (no figure, a short problem).
2. The answer to the student's question: its key term blanked out of the answer sentence.
3. The key idea: the worked example's quantity (distractors are the usual slips: multiplying instead
   of dividing, inverting, forgetting a square), else a key term blanked out of one of the lesson's
   "why" sentences (not a definition); only then a glossary term from its meaning (vocabulary checks
   the words, not the idea), a blank in another sentence, which statement answers the question.
Distractors are other key terms of the same section and its neighbours, the most similar in meaning
to the right answer first (so they are plausible) — never the answer's own synonyms or parts. No
true/false items: a copied textbook statement is always "True".
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from . import LessonBrief, PracticeSource, SourcePassage
from .answer import Candidate, Embedder, Selection, cosine, explains
from .definitions import definition_sentence, is_cross_reference
from .sentences import clean, says_term, singular, words
from .stemming import stem, stems
from .worked import WorkedExample

PRACTICE_FIT = 0.45  # cosine of a practice item to the question (+ answer) for it to count as fitting
_FIGURE = re.compile(r"\b(figure|table|graph|diagram|shown|image|picture|photo|above|below|following)\b|\bSee\s*\.",
                     re.I)


def _tidy_problem(text: str) -> str:
    text = re.split(r"\bStrategy\b", text, maxsplit=1)[0]
    return clean(re.sub(r"\s*\bSee\s*\.", "", text))


# An answer key that only names the choice ("B", "(c)") explains nothing to a student.
_LETTER_ONLY = re.compile(r"^\(?[a-h]\)?[.)]?$", re.I)


def _tidy_solution(text: str) -> str:
    solution = clean(re.sub(r"^\s*Solution\b\s*", "", text or ""))
    return "" if _LETTER_ONLY.match(solution) else solution


def _practice_question(item: PracticeSource, passage_id: str) -> dict[str, Any] | None:
    item = replace(item, problem=_tidy_problem(item.problem), solution=_tidy_solution(item.solution))
    if not item.problem or _FIGURE.search(item.problem) or words(item.problem) > 60 or "[[" in item.problem:
        return None
    if item.kind != "multiple_choice" or not item.choices or not item.answer:
        return None
    index = ord(item.answer.strip().lower()[:1] or "a") - ord("a")
    choices = [clean(c) for c in item.choices]
    if not 0 <= index < len(choices) or len(set(choices)) != len(choices) or len(choices) < 3:
        return None
    if {c.lower() for c in choices} <= {"true", "false"} or any(words(c) > 25 or not c for c in choices):
        return None
    answer = choices[index]
    explanation = (item.solution if item.solution and words(item.solution) <= 80
                   else f"The answer is: {answer.rstrip('.')}.")
    return {"prompt": item.problem, "choices": choices, "answer": answer, "explanation": explanation,
            "citation": passage_id, "practice_item_id": item.pk}


def _closest_passage(text: str, passages: list[SourcePassage]) -> SourcePassage:
    """The passage of the item's own section sharing most words with it (the citation)."""
    body = [p for p in passages if p.kind != "glossary"] or passages
    words_of = stems(text)
    return max(body, key=lambda p: (len(words_of & stems(p.text)), p.relevance))


#: One capitalised word: a scientist the book names as a key term in a feature ("Lavoisier", "Solomon"), or a
#: taxon ("Chordata"), or a term that opened its sentence ("Acceleration").
_NAME = re.compile(r"[A-Z][a-z]+")


POOL_SIZE = 30  # distractor candidates: the section's terms, then its neighbours'


def _term_pool(brief: LessonBrief) -> list[str]:
    terms = [*brief.key_terms, *[g.get("term", "") for g in brief.glossary], *brief.related_terms]
    said = " ".join(p.text for p in brief.passages)
    out: list[str] = []
    for raw in terms:
        term = clean(raw)
        if _NAME.fullmatch(term) and re.search(rf"\b{term.lower()}\b", said):
            term = term.lower()  # a term that opened its sentence ("Troponin"), not a name: the book writes "troponin"
        if 2 < len(term) <= 40 and term.lower() not in {t.lower() for t in out}:
            out.append(term)
    return out[:POOL_SIZE]


def _distractors(answer: str, pool: list[str], embedder: Embedder, *, avoid: str = "", count: int = 3) -> list[str]:
    """Plausible wrong options: pool terms most similar to the answer, never its synonyms or parts, and no
    name among terms (a scientist's name as a wrong option for a unit, "torr", gives the answer away)."""
    a = answer.lower()
    named = bool(_NAME.fullmatch(answer)) and a not in pool  # not "Troponin" opening the blanked sentence
    options = [t for t in pool if t.lower() != a and a not in t.lower() and t.lower() not in a
               and (named or not _NAME.fullmatch(t))
               and t.lower() not in avoid.lower() and not (stems(t) and stems(t) <= stems(answer))
               and not abbreviates(t, answer) and not abbreviates(answer, t) and not same_root(t, answer)]
    if not options:
        return []
    vectors = embedder.documents(options)
    target = embedder.documents([answer])[0]
    scored = sorted(zip(options, vectors, strict=True), key=lambda ov: -cosine(target, ov[1]))
    return _distinct([o for o, v in scored if cosine(target, v) < 0.92], count) or _distinct(options, count)


def same_root(a: str, b: str) -> bool:
    """Whether two one-word options are forms of one word ("gravity" and "gravitational", "accelerate" and
    "acceleration"): a student choosing either would be right. Their common start is five letters or more
    and most of the shorter one."""
    a, b = a.lower(), b.lower()
    if " " in a or " " in b:
        return False
    common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return common >= 5 and common >= 0.7 * min(len(a), len(b))


def abbreviates(short: str, long: str) -> bool:
    """Whether `short` is an abbreviation of `long` ("ATP" of "adenosine triphosphate", "DNA" of
    "deoxyribonucleic acid"): its letters in order, the first starting the long form. Hand-written: the
    Schwartz–Hearst idea in a few lines, where a library would bring a tagger and a model. It may also
    match an unrelated term ("active transport"); that only drops one distractor."""
    letters = short.replace(".", "").lower()
    if not (2 <= len(letters) <= 6 and short.replace(".", "").isupper() and letters.isalpha()):
        return False
    words_ = long.lower().split()
    if len(words_) < 2 or not words_[0].startswith(letters[0]):
        return False
    rest = " ".join(words_)[1:]
    for letter in letters[1:]:
        found = rest.find(letter)
        if found < 0:
            return False
        rest = rest[found + 1:]
    return True


def form_of(option: str) -> frozenset[str]:
    """What an option says, whatever its form: the stem of each word's singular ("Catalysts" and "catalyst",
    "adhesive forces" and "adhesive force" are one option). Every word counts ("G1 phase" is not "S phase";
    `stems` drops short words)."""
    return frozenset(stem(singular(w)) for w in re.findall(r"\w+", option.lower()))


def _distinct(options: list[str], count: int) -> list[str]:
    """The first `count` options that differ in more than form ("adhesive force" / "adhesive forces")."""
    out: list[str] = []
    seen: set[frozenset[str]] = set()
    for option in options:
        key = form_of(option)
        if key not in seen:
            seen.add(key)
            out.append(option)
        if len(out) == count:
            break
    return out


def _choices(answer: str, distractors: list[str], rng: random.Random) -> list[str]:
    """The answer among its distractors, in shuffled order, all cased alike: the one capitalised option
    ("Rolling resistance" among "friction", "velocity") must not give the answer away."""
    options = [answer, *(_cased_like(answer, d) for d in distractors)]
    rng.shuffle(options)
    return options


def _plain(term: str) -> bool:
    """Whether a term's capital is only its first letter's (not "Newton's laws", "ATP", "pH")."""
    first = term.split(" ", 1)[0]
    return not (re.search(r"[A-Z]", term[1:]) or first.endswith(("'s", "’s")) or len(first) < 2)


def _cased_like(answer: str, option: str) -> str:
    if not (answer[:1].isalpha() and option[:1].isalpha() and _plain(option)):
        return option
    if answer[:1].isupper() and _plain(answer):
        return option[:1].upper() + option[1:]
    return option[:1].lower() + option[1:] if answer[:1].islower() else option


def _blanks(candidate: Candidate, terms: list[str], question: str) -> list[tuple[str, str]]:
    """(sentence with one key term blanked, the term as the sentence says it), terms the question itself
    does not use first."""
    asked = stems(question)
    present = [(t, found) for t in terms if (found := re.search(rf"\b{re.escape(t)}\b", candidate.text, re.I))]
    present.sort(key=lambda tf: (bool(stems(tf[0]) & asked), -len(tf[0]), tf[0].lower()))
    out = []
    for _, found in present:
        blanked = candidate.text[:found.start()] + "_____" + candidate.text[found.end():]
        # the term said again elsewhere in the sentence would give the blank away ("the top of the _____ or
        # higher voltage to the bottom of the resistor")
        if re.search(rf"\b{re.escape(singular(found.group(0).lower()))}", blanked, re.I):
            continue
        if blanked.count("_____") == 1 and words(blanked) >= 6:
            out.append((blanked, found.group(0)))
    return out


def _cloze(candidate: Candidate, terms: list[str], pool: list[str], question: str, *, embedder: Embedder,
           rng: random.Random) -> dict[str, Any] | None:
    for blanked, term in _blanks(candidate, terms, question):
        distractors = _distractors(term, pool, embedder, avoid=candidate.text)
        if len(distractors) >= 2:
            return {"prompt": f"Which word or phrase completes this sentence? {blanked}",
                    "choices": _choices(term, distractors, rng), "answer": term,
                    "explanation": f"The textbook says: {candidate.text}", "citation": candidate.passage.id,
                    "practice_item_id": None}
    return None


#: "What kinds of things make a reaction go faster?": several statements answer it, so "which one answers"
#: would have more than one right option (temperature and catalysts both do).
_ASKS_FOR_SEVERAL = re.compile(r"\b(what|which) (kinds?|types?|sorts?|factors?|ways?|things)\b|"
                               r"\bname (some|two|three|the)\b", re.I)


def _which_answers(selection: Selection, question: str, rng: random.Random) -> dict[str, Any] | None:
    """Which textbook statement answers the student's question? Distractors are true statements of
    the sections the lesson teaches that answer something else (clearly less related to the question, and
    not a step of the lesson's own why)."""
    if not selection.answer or _ASKS_FOR_SEVERAL.search(question):
        return None
    # the best answer sentence, not the shortest ("The formula mass of a substance is ..." had stood for why
    # isotopes differ in mass); one too long for an option asks nothing
    answer = selection.answer[0]
    if answer.words > 30:
        return None
    taught = {c.passage.module_id for c in [*selection.answer, *selection.why]}
    distractors: list[str] = []
    for margin in (0.12, 0.06):  # clearly less related first; a thin section settles for less
        others = [c for c in selection.ranked if c not in selection.answer and c not in selection.why and c.words <= 30
                  and c.similarity < answer.similarity - margin and c.passage.kind != "glossary"
                  and c.passage.module_id in taught and not stems(c.text) >= stems(answer.text)]
        others.sort(key=lambda c: -c.similarity)
        distractors = list(dict.fromkeys(c.text for c in others))[:3]
        if len(distractors) >= 2:
            break
    if len(distractors) < 2:
        return None
    return {"prompt": f"Which statement from the textbook best answers the question: {question.rstrip('?')}?",
            "choices": _choices(answer.text, distractors, rng), "answer": answer.text,
            "explanation": f"The textbook says: {answer.text}", "citation": answer.passage.id,
            "practice_item_id": None}


_FUNCTION_WORDS = frozenset({
    "because", "between", "through", "without", "however", "therefore", "another", "although", "whether",
    "several", "different", "important", "example", "examples", "usually", "themselves", "something",
    "everything", "anything", "together", "against", "perhaps", "instead", "certain", "general", "possible",
    "particular", "including", "includes", "include", "depends", "whereas"})


def _word_cloze(candidate: Candidate, others: list[Candidate], question: str,
                rng: random.Random) -> dict[str, Any] | None:
    """Last resort when a section has no key terms: blank the sentence's rarest long word; distractors
    are the words the section's other sentences put in its place, then their other rare long words, never
    a second form of the answer or of each other."""
    asked = stems(question)

    def salient(text: str) -> list[str]:
        return [w for w in re.findall(r"[A-Za-z]{7,}", text) if w.lower() == w and not stems(w) & asked
                and w not in _FUNCTION_WORDS and not w.endswith(("ing", "ed", "ly", "ous", "ful", "ive", "able"))]

    # a verb ("The evidence _____ that the dust ...") is a word of the sentence, not of the idea
    found = [w for w in salient(candidate.text)
             if not (w.endswith("s") and re.search(rf"\b{w}\s+(that|the|an?|its|their|to|how|whether)\b", candidate.text))]
    if not found:
        return None
    target = max(found, key=len)
    pool = list(dict.fromkeys(w for c in others if c is not candidate for w in salient(c.text)
                              if w != target and w not in candidate.text))
    # words the book puts in the same place ("its _____ energy": kinetic, mechanical, thermal) come first: a
    # verb or a person among adjectives is eliminated by grammar alone
    after = re.search(rf"\b{re.escape(target)}\s+([a-z]{{4,}})", candidate.text)  # a noun it describes, not "of"
    framed = list(dict.fromkeys(
        w for c in others if c is not candidate for w in re.findall(rf"\b([a-z]{{4,}})\s+{after.group(1)}\b", c.text)
        if w != target and w not in candidate.text and w not in _FUNCTION_WORDS
        and not w.endswith(("ed", "ing", "ly")))) if after else []
    distractors: list[str] = []
    for word in framed + sorted(pool, key=lambda w: abs(len(w) - len(target))):
        if len(distractors) == 3:
            break
        if not same_root(word, target) and not any(same_root(word, d) or form_of(word) == form_of(d)
                                                   for d in distractors):
            distractors.append(word)
    if len(distractors) < 3:
        return None
    blanked = re.sub(rf"\b{target}\b", "_____", candidate.text, count=1)
    return {"prompt": f"Which word completes this sentence? {blanked}",
            "choices": _choices(target, distractors, rng), "answer": target,
            "explanation": f"The textbook says: {candidate.text}", "citation": candidate.passage.id,
            "practice_item_id": None}


def _term_prompt(term: str, meaning: str) -> str:
    """"Which term means: <a noun phrase>?"; a meaning that is no noun phrase ("occurs in the walls of hollow
    organs") is asked as its definition sentence with the term blanked."""
    sentence = definition_sentence(term, meaning)
    said = re.match(rf"^(?:(?:A|An) )?{re.escape(term)} (?:is|are|means|describes)\b", sentence, re.I)
    if said or not sentence.lower().startswith((term.lower(), "a ", "an ")):
        return f"Which term means: {meaning}?"
    blanked = re.sub(rf"^(?:(A|An) )?{re.escape(term)}", lambda m: "_____" if not m.group(1) else "A _____", sentence,
                     count=1, flags=re.I)
    return f"Which term completes this definition? {blanked}"


def _key_term_questions(brief: LessonBrief, selection: Selection, pool: list[str], embedder: Embedder,
                        rng: random.Random) -> list[dict[str, Any]]:
    """Last resort for thin sections: which of these terms belongs to the lesson's section (the
    explanation quotes the sentence that uses it)."""
    out = []
    for term in brief.key_terms:
        used_in = next((c for c in selection.ranked if re.search(rf"\b{re.escape(term)}\b", c.text, re.I)), None)
        others = [t for t in pool if t not in brief.key_terms]
        distractors = _distractors(term, others, embedder)
        if used_in is not None and len(distractors) >= 2:
            out.append({"prompt": f"Which of these terms is a key idea of “{brief.topic_title}”?",
                        "choices": _choices(term, distractors, rng), "answer": term,
                        "explanation": f"The textbook says: {used_in.text}", "citation": used_in.passage.id,
                        "practice_item_id": None})
    return out


def build_quiz(brief: LessonBrief, selection: Selection, embedder: Embedder, *, question: str,
               worked: WorkedExample | None, worked_passage: SourcePassage | None) -> list[dict[str, Any]]:
    """Three multiple-choice questions, each with a cited explanation."""
    rng = random.Random(f"{brief.topic_id}:{question}")  # noqa: S311 - deterministic shuffling, not security
    pool = _term_pool(brief)
    terms = sorted({*brief.key_terms, *[g.get("term", "") for g in brief.glossary]} - {""},
                   key=lambda t: (-len(t), t))  # the same order in every process (a set's is not)
    answer_text = " ".join(c.text for c in selection.answer)
    quiz: list[dict[str, Any]] = []

    # 1. a practice item that fits the question
    fit_vector = embedder.query(f"{question} {answer_text}")
    fitting = []
    for item in brief.practice:
        passage = _closest_passage(f"{item.problem} {item.solution}",
                                   [p for p in brief.passages if p.topic_id == brief.topic_id] or brief.passages)
        built = _practice_question(item, passage.id)
        if built is None:
            continue
        similarity = cosine(fit_vector, embedder.documents([f"{built['prompt']} {built['answer']}"])[0])
        if similarity >= PRACTICE_FIT or not embedder.available:
            fitting.append((similarity, built))
    if fitting:
        quiz.append(max(fitting, key=lambda f: f[0])[1])

    # 2. the answer to the student's question
    for candidate in [*selection.answer, *selection.why]:
        built = _cloze(candidate, terms or pool, pool, question, embedder=embedder, rng=rng)
        if built:
            quiz.append(built)
            break

    # 3. the key idea: the worked example's quantity or a blank in a why sentence; only then (vocabulary) a
    #    glossary term
    extra: list[dict[str, Any]] = []
    if worked is not None and worked_passage is not None:
        extra.append({"prompt": worked.quiz_prompt, "choices": _choices(worked.answer, worked.distractors, rng),
                      "answer": worked.answer,
                      "explanation": f"Use {worked.equation}: {worked.result}. The relationship is from the "
                                     f"textbook; the numbers are an example.",
                      "citation": worked_passage.id, "practice_item_id": None})
    for candidate in [c for c in selection.why[::-1] if c.passage.kind != "glossary"]:  # definitions: vocabulary
        built = _cloze(candidate, terms or pool, pool, question, embedder=embedder, rng=rng)
        if built:
            extra.append(built)
    # the section's own terms, and another section's only when the lesson says it (`name_the_concept`)
    said = " ".join(c.text for c in [*selection.answer, *selection.why])
    glossary = {term.lower(): p for p in brief.passages if p.kind == "glossary"
                for term in [p.text.partition(":")[0].strip()]
                if p.topic_id == brief.topic_id or says_term(said, term)}
    question_vector = embedder.query(question)
    # one embedding call for all terms (a remote embedder would otherwise make a round trip per term)
    nearness = {t: cosine(question_vector, v) for t, v in zip(glossary, embedder.documents(list(glossary)), strict=True)}
    ranked_terms = sorted(glossary, key=lambda t: -nearness[t])
    for term_key in ranked_terms:
        passage = glossary[term_key]
        term, _, meaning = passage.text.partition(":")
        meaning = clean(meaning).rstrip(".")
        distractors = _distractors(term.strip(), pool, embedder, avoid=meaning)
        if (3 <= words(meaning) <= 40 and len(distractors) >= 2 and term.strip().lower() not in meaning.lower()
                and not is_cross_reference(meaning)):
            extra.append({"prompt": _term_prompt(term.strip(), meaning),
                          "choices": _choices(term.strip(), distractors, rng), "answer": term.strip(),
                          "explanation": f"{term.strip()}: {meaning}.", "citation": passage.id,
                          "practice_item_id": None})
            break
    # any other sentence only if it stands alone ("Two more external forces act on the system: the weight W …"
    # belongs to a worked diagram)
    for candidate in [c for c in selection.ranked[:30] if explains(c)]:
        built = _cloze(candidate, terms or pool, pool, question, embedder=embedder, rng=rng)
        if built:
            extra.append(built)
    built = _which_answers(selection, question, rng)
    if built:
        extra.append(built)
    for candidate in [*selection.why, *selection.answer, *[c for c in selection.ranked[:20] if explains(c)]]:
        built = _word_cloze(candidate, selection.ranked[:40], question, rng)
        if built:
            extra.append(built)
    extra += _key_term_questions(brief, selection, pool, embedder, rng)
    seen_prompts = {q["prompt"] for q in quiz}
    seen_answers = {form_of(q["answer"]) for q in quiz}  # "Catalysts" and "catalyst" are one answer
    for built in extra:
        if len(quiz) >= 3:
            break
        if built["prompt"] not in seen_prompts and form_of(built["answer"]) not in seen_answers:
            quiz.append(built)
            seen_prompts.add(built["prompt"])
            seen_answers.add(form_of(built["answer"]))
    return quiz[:3]
