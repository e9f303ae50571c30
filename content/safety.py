"""Screening of student questions before anything reaches a prompt.

`screen_question(text)` returns the first matching concern (self-harm, violence, sexual content,
personal data, prompt injection, not English, a request that is not a question to learn from:
"write my essay", sports results, celebrity news) or None. Patterns are conservative word-boundary
regexes; science phrasing that merely sounds alarming ("how do cells die", "explosive reactions")
is allowed through on purpose. Off-topic detection needs retrieval, so it lives in the
understand stage (`is_science_question`). `delimit()` is the only way student text enters a prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import SafetyEvent

Category = SafetyEvent.Category

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (Category.SELF_HARM, re.compile(
        r"\b(kill(ing)? myself|suicid\w*|self[- ]?harm|hurt(ing)? myself|cut(ting)? myself|"
        r"end (it all|my life)|want to die|don'?t want to (live|be alive)|overdose on purpose)\b", re.I)),
    (Category.VIOLENCE, re.compile(
        r"\b(make|build|construct) (a |an )?(bomb|pipe bomb|explosive device|weapon|gun)\b|"
        r"\b(kill|hurt|poison|shoot|stab|attack) (my|a|the|some) ?(teacher|classmate|friend|brother|sister|"
        r"mom|dad|parent|people|person|someone|school|kid)s?\b|\bschool shooting\b", re.I)),
    (Category.SEXUAL, re.compile(r"\b(porn\w*|sex(ual|y)? (act|position|video)s?|nudes?|naked pic\w*|"
                                 r"hook ?up with|erotic\w*)\b", re.I)),
    (Category.PERSONAL_DATA, re.compile(
        r"[\w.+-]+@[\w-]+\.[\w.]+|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b|\b\d{3}-\d{2}-\d{4}\b|"
        r"\bmy (home )?address is\b|\bi live at\b|\bmy (phone|cell)( number)? is\b|\bmy password\b", re.I)),
    (Category.INJECTION, re.compile(
        r"\b(ignore|disregard|forget) (all |any )?(the |your |my |previous |prior |above )*"
        r"(instructions|rules|prompts?|guidelines)\b|\bsystem prompt\b|\byou are now\b|"
        r"\bpretend (you are|to be)\b|\bjailbreak\b|\bdeveloper mode\b|</?(system|assistant|instructions)>",
        re.I)),
]

_ENGLISH_HINTS = frozenset(
    ["the", "a", "an", "is", "are", "what", "why", "how", "does", "do", "of", "to", "in", "on", "and", "for", "with", "when", "where", "which", "who", "can", "it", "this", "that", "from", "by", "at", "as", "be", "work", "happen", "explain", "about", "between"])

KIND_MESSAGES = {
    Category.SELF_HARM: (
        "It sounds like you might be going through something hard. You are not alone: please talk to a "
        "teacher, school counselor or another adult you trust, or call or text 988 (Suicide & Crisis "
        "Lifeline) any time. We have let your teacher know so they can check in with you."),
    Category.VIOLENCE: ("We can't make a lesson about hurting people. If you or someone else is in "
                        "danger, please tell a trusted adult right away. Try asking about the science "
                        "behind forces, energy or chemical reactions instead."),
    Category.SEXUAL: ("That isn't something we can make a lesson about. Try a question from physics, "
                      "chemistry or biology, like how cells divide or how the heart pumps blood."),
    Category.PERSONAL_DATA: ("Please don't share personal details like emails, phone numbers or addresses. "
                             "Ask your science question again without them."),
    Category.INJECTION: ("We can only make lessons about science questions. Try asking something like "
                         "'How do magnets work?' or 'What is photosynthesis?'."),
    Category.OFF_TOPIC: ("Vividly makes lessons about physics, chemistry and biology, and your question "
                         "seems to be about something else. Try a science question, like 'Why do objects "
                         "fall?' or 'How do plants make food?'."),
    Category.NON_ENGLISH: ("For now Vividly can only make lessons from questions written in English. "
                           "Please ask your question in English."),
}

#: Categories that raise an alert to the student's teacher(s) at once.
ALERT_CATEGORIES = frozenset({Category.SELF_HARM})
#: This many safety events within ABUSE_WINDOW_HOURS counts as repeated abuse (teacher alerted).
REPEATED_ABUSE_COUNT = 3
ABUSE_WINDOW_HOURS = 24

_SCIENCE_WORDS = re.compile(
    r"\b(atom\w*|molecul\w*|cell\w*|energ\w*|force\w*|gravit\w*|motion|velocit\w*|acceler\w*|mass|"
    r"electr\w*|magnet\w*|wave\w*|light|sound|heat|temperature|chemical\w*|reaction\w*|acid\w*|base\w*|"
    r"element\w*|compound\w*|bond\w*|ion\w*|dna|gene\w*|protein\w*|enzyme\w*|photosynth\w*|evolution\w*|"
    r"organism\w*|plant\w*|animal\w*|bacteri\w*|virus\w*|ecosystem\w*|momentum|friction|pressure|"
    r"newton\w*|physics|chemistry|biology|orbit\w*|planet\w*|current|voltage|circuit\w*|solution\w*|"
    r"gas\w*|liquid\w*|solid\w*|metabol\w*|respirat\w*|mitosis|meiosis|membrane\w*|nucle\w*|"
    r"work|power|speed|density|matter|periodic|electron\w*|proton\w*|neutron\w*|isotope\w*|"
    r"blood|heart|brain|muscle\w*|bone\w*|digest\w*|immune|hormone\w*|species|fossil\w*|climate|"
    r"quantum|relativity|thermo\w*|entropy|friction|torque|lens\w*|mirror\w*|optic\w*|radioactiv\w*)\b",
    re.I)


# Requests we do not serve even when they name a science topic ("write my essay on photosynthesis"):
# doing the student's assignment, or news/entertainment look-ups. Word-boundary patterns, as above.
_OFF_TOPIC_REQUESTS = re.compile(
    r"\b(write|do|finish|make) (me |us )?(my |an? |the |our )?(whole )?(essay|homework|assignment|report|"
    r"paper|project|book report|poem|story|speech)\b|\b(essay|paper|report) (for|on|about) me\b|"
    r"\b(who|what team) (won|wins|is winning) (the |last night'?s? |yesterday'?s? |today'?s? )?"
    r"(game|match|super bowl|world cup|series|championship|playoffs?|final)\b|"
    r"\b(game|match) (score|scores|results?)\b|"
    r"\b(scores?|results?|standings|highlights) (of|from|for) (the |last night'?s? |yesterday'?s? )?"
    r"(game|match|super bowl|world cup|playoffs?|nba|nfl|nhl|mlb|league)\b|"
    r"\b(super bowl|world cup|playoffs?|nba|nfl|nhl|mlb|premier league) (score|scores|results?|winner)\b|"
    r"\bcelebrit(y|ies)\b|\bgossip\b", re.I)
_OFF_TOPIC_REQUEST_MESSAGE = (
    "We can't do that one for you, but we'd love to help you understand the science behind it. Vividly "
    "makes short lessons about physics, chemistry and biology: try a question like 'How do plants make "
    "food?' or 'Why do objects fall?'.")
_QUESTION_WORDS = frozenset(["what", "why", "how", "when", "where", "which", "who", "does", "do", "is", "are",
                             "can", "explain", "describe", "define", "compare", "difference"])


@dataclass(frozen=True)
class Concern:
    category: str
    message: str


def screen_question(text: str) -> Concern | None:
    """The first safety concern raised by a question, or None when it may proceed."""
    for category, pattern in _PATTERNS:
        if pattern.search(text):
            return Concern(category, KIND_MESSAGES[category])
    if not looks_english(text):
        return Concern(Category.NON_ENGLISH, KIND_MESSAGES[Category.NON_ENGLISH])
    if _OFF_TOPIC_REQUESTS.search(text):
        return Concern(Category.OFF_TOPIC, _OFF_TOPIC_REQUEST_MESSAGE)
    return None


_UNSUITABLE_INTEREST = re.compile(
    r"\b(porn\w*|sex\w*|nudes?|naked|drugs?|weed|cocaine|meth|heroin|vap(e|es|ing)|alcohol|beer|vodka|gambl\w*|"
    r"betting|kill\w*|murder\w*|gore|suicid\w*|self[- ]?harm|nazi\w*|terror\w*|school shoot\w*)\b", re.I)


def screen_interest(text: str) -> Concern | None:
    """Screen an interest a student typed: the question patterns, plus topics unsuitable to frame a
    school lesson around. (No English check: interest names are often a single foreign word.)"""
    for category, pattern in _PATTERNS:
        if pattern.search(text):
            return Concern(category, KIND_MESSAGES[category])
    if _UNSUITABLE_INTEREST.search(text):
        return Concern(Category.VIOLENCE, KIND_MESSAGES[Category.VIOLENCE])
    return None


def looks_english(text: str) -> bool:
    """Heuristic: mostly Latin letters and at least one common English word (for 3+ word questions)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if c.isascii())
    if latin / len(letters) < 0.8:
        return False
    words = re.findall(r"[a-z']+", text.lower())
    return len(words) < 3 or any(w in _ENGLISH_HINTS for w in words)


def is_science_question(text: str) -> bool:
    """Whether the question uses any physics/chemistry/biology vocabulary."""
    return bool(_SCIENCE_WORDS.search(text))


def is_vague(text: str) -> bool:
    """A bare topic ("energy", "cell division") rather than a question: the student picks a section."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return len(words) <= 2 and not any(w in _QUESTION_WORDS for w in words)


def redact(text: str, limit: int = 160) -> str:
    """A short excerpt with emails and phone-like numbers masked (what a SafetyEvent stores)."""
    masked = re.sub(r"[\w.+-]+@[\w-]+\.[\w.]+", "[email]", text)
    masked = re.sub(r"\d[\d\-. ]{6,}\d", "[number]", masked)
    return masked[:limit]


def delimit(text: str) -> str:
    """Student text as inert, delimited data for a prompt (never raw)."""
    cleaned = re.sub(r"[<>`]", "", text).replace("\r", " ").strip()
    return f"<student_question>\n{cleaned}\n</student_question>"
