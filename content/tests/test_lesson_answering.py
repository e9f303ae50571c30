"""Lessons that answer (issue 18): evidence from the index search uses, openers and definitions that
read as sentences, no unrelated glossary line as the answer, framing in the student's register."""

from __future__ import annotations

import pytest

from content.pipeline.evidence import THIN_SECTION, lesson_passages
from content.writers import LessonBrief, SourcePassage, narration_of, validate_script
from content.writers.answer import (
    NEAR_PRINCIPLE_FLOOR,
    Candidate,
    Embedder,
    Selection,
    cosine,
    near_duplicate,
    select,
)
from content.writers.concept import name_it_early, name_the_concept
from content.writers.definitions import definition_sentence
from content.writers.local import _example_sentence, _facts, compose_script
from content.writers.question_forms import asked_about, defines
from content.writers.sentences import make_standalone
from content.writers.stemming import stems
from ingestion.models import Chunk, IndexVersion
from ingestion.search import search_sections
from vividly.providers.onnx_embeddings import BASE_MODEL

pytestmark = pytest.mark.django_db
ASTRONAUT = "Why would an astronaut weigh less on the Moon?"


def _index_built_by_the_torch_minilm() -> None:
    """The physics index as built by the torch MiniLM before the ONNX export (same weights)."""
    IndexVersion.objects.filter(book_slug="physics", status="active").update(embedding_model=BASE_MODEL)
    Chunk.objects.filter(book_slug="physics").update(embedding_model=BASE_MODEL)


def test_lesson_evidence_comes_from_the_index_search_uses(mini_corpus):
    _index_built_by_the_torch_minilm()
    topic = mini_corpus.topic("m90101")
    question = "Why does a full cart need a bigger push than an empty one to speed up?"
    assert search_sections(question, k=2)[0].module_id == "m90101"  # the section retrieval ranks first
    # when the lesson's passages are gathered for it
    passages = lesson_passages(topic, question)
    # then the section's passages carry their relevance and the next section's best passages come too
    main = [p for p in passages if p.topic_id == topic.pk and p.kind == "text"]
    assert main
    assert all(p.relevance > 0 for p in main)
    assert any(p.module_id == "m90102" for p in passages)
    # with that section's glossary, whose terms the lesson may name (`name_the_concept`)
    assert any(p.kind == "glossary" and p.module_id == "m90102" for p in passages)


def test_a_section_the_student_picked_over_retrievals_first_is_taught_alone(mini_corpus):
    _index_built_by_the_torch_minilm()
    # given a question whose first section by retrieval is "Mass and Weight"
    assert search_sections(ASTRONAUT, k=2)[0].module_id == "m90102"
    # when the student picked the second-law section instead (from the choice, or "Not quite? Try ...")
    topic = mini_corpus.topic("m90101")
    passages = lesson_passages(topic, ASTRONAUT)
    # then the lesson is written from the section they picked, not pulled back to retrieval's first
    assert [p for p in passages if p.kind == "text"]
    assert {p.module_id for p in passages} == {"m90101"}


def test_a_one_passage_section_picked_still_gets_the_next_sections_passages(mini_corpus):
    _index_built_by_the_torch_minilm()
    # given a section of a single passage, picked for a question retrieval ranks elsewhere first
    question = "How does force change motion?"
    topic = mini_corpus.topic("m90201")
    assert search_sections(question, k=2)[0].module_id != "m90201"
    passages = lesson_passages(topic, question)
    assert len([p for p in passages if p.module_id == "m90201" and p.kind == "text"]) < THIN_SECTION
    # then the others' passages still come: one passage alone cannot carry a lesson and its quiz
    assert any(p.module_id != "m90201" for p in passages)


def test_openers_read_as_sentences():
    assert make_standalone("As we know, oxygen is very important to life.").text == "Oxygen is very important to life."
    assert make_standalone("As you may know, metals conduct heat much better than wood does.").text == (
        "Metals conduct heat much better than wood does.")


#: (term, the book's meaning, the sentence a teacher would say): a law states; a bare noun phrase is joined
#: with "is a/an/the" or "are" (an adverb, a number word or a "where" clause inside it still make one), with
#: "means" where it is none or a formula; a countable thing takes its article, an abbreviation is what it
#: stands for, and asides before the meaning are dropped.
GLOSSARY_LINES = [
    ("law of conservation of energy", "states that energy is neither created nor destroyed",
     "The law of conservation of energy states that energy is neither created nor destroyed."),
    ("adhesion", "attraction between water molecules and other molecules",
     "Adhesion is an attraction between water molecules and other molecules."),
    ("autotrophs", "organisms that make their own food",
     "Autotrophs are organisms that make their own food."),
    ("atom", "smallest unit of matter",
     "Atom is the smallest unit of matter."),
    ("mRNA", "RNA that carries the code",
     "mRNA is an RNA that carries the code."),
    ("atrium", "(plural: atria) chamber of the heart",
     "An atrium is a chamber of the heart."),
    ("kidney", "organ that filters blood",
     "A kidney is an organ that filters blood."),
    ("Ascomycota", "phylum of fungi",
     "Ascomycota is a phylum of fungi."),
    ("ATP", "adenosine triphosphate, the cell's energy currency",
     "ATP is adenosine triphosphate, the cell's energy currency."),
    ("RNA", "nucleic acid that carries the code",
     "RNA is a nucleic acid that carries the code."),
    ("cation", "positively charged atom or molecule",
     "Cation is a positively charged atom or molecule."),
    ("pyruvate", "three-carbon sugar made from glucose",
     "Pyruvate is a three-carbon sugar made from glucose."),
    ("synapse", "junction between two neurons where signals are passed",
     "Synapse is a junction between two neurons where signals are passed."),
    ("ideal gas", "hypothetical gas whose properties obey the gas laws",
     "Ideal gas is a hypothetical gas whose properties obey the gas laws."),
    ("rate law", "(also, rate equation) (also, differential rate law) mathematical equation for the rate",
     "Rate law is a mathematical equation for the rate."),
    ("relativistic factor", "γ = 1/sqrt(1 − u²/c²)",
     "Relativistic factor means γ = 1/sqrt(1 − u²/c²)."),
    ("law of independent assortment", "genes do not influence each other when sorted",
     "The law of independent assortment states that genes do not influence each other when sorted."),
    ("mitochondria", "cellular organelles responsible for respiration",
     "Mitochondria are cellular organelles responsible for respiration."),
    ("acidic", "solution in which hydronium outnumbers hydroxide",
     "Acidic describes a solution in which hydronium outnumbers hydroxide."),
    ("photosystem", "group of proteins and pigments",
     "Photosystem is a group of proteins and pigments."),
    ("refraction", "bending of a wave as it passes into another medium",
     "Refraction is the bending of a wave as it passes into another medium."),
    ("osmosis", "transport of water through a membrane",
     "Osmosis is the transport of water through a membrane."),
    ("Le Châtelier's principle", "an equilibrium subjected to stress will shift to counter it",
     "Le Châtelier's principle states that an equilibrium subjected to stress will shift to counter it."),
    ("hypertonic", "of greater osmotic pressure",
     "Hypertonic means of greater osmotic pressure."),
    ("molarity (M)", "unit of concentration",
     "Molarity (M) is a unit of concentration."),
    ("pH", "logarithmic measure of acidity",
     "pH is a logarithmic measure of acidity."),
]


@pytest.mark.parametrize(("term", "meaning", "sentence"), GLOSSARY_LINES)
def test_a_glossary_line_reads_as_a_teacher_says_it(term, meaning, sentence):
    assert definition_sentence(term, meaning) == sentence


@pytest.mark.parametrize(("term", "meaning", "sentence"), [
    ("Charles's law", "volume of a given amount of gas is directly proportional to its kelvin temperature",
     "Charles's law states that the volume of a given amount of gas is directly proportional to its kelvin temperature."),
    ("second law of thermodynamics", "all spontaneous processes involve an increase in the entropy of the universe",
     "The second law of thermodynamics states that all spontaneous processes involve an increase in the entropy of "
     "the universe."),
    ("law of inertia", "Newton's first law of motion: a body at rest remains at rest",
     "The law of inertia states that a body at rest remains at rest."),
    ("Pauli exclusion principle", "specifies that no two electrons in an atom can have the same four quantum numbers",
     "The Pauli exclusion principle specifies that no two electrons in an atom can have the same four quantum numbers."),
    # a meaning that is a noun phrase stays one: its verb belongs to a relative clause
    ("octet rule", "guideline that states atoms will form structures with eight valence electrons",
     "Octet rule is a guideline that states atoms will form structures with eight valence electrons."),
    ("hypothesis", "suggested explanation for an observation, which one can test",
     "Hypothesis is a suggested explanation for an observation, which one can test."),
])
def test_a_law_is_said_as_what_it_states(term, meaning, sentence):
    assert definition_sentence(term, meaning) == sentence


def test_a_glossary_line_that_only_points_at_another_is_not_said():
    from content.writers.answer import candidates  # noqa: PLC0415 - the candidate finder
    from content.writers.definitions import is_cross_reference  # noqa: PLC0415 - the helper under test

    assert is_cross_reference("see unified cell theory")
    assert not is_cross_reference("seeds are the plant's embryos")
    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", kind="glossary", text="cell theory: see unified cell "
                            "theory")
    brief = LessonBrief(topic_id=1, topic_title="Cells", subject="biology", question="What is cell theory?",
                        interest="music", grade_band="9-10", passages=[passage])
    assert not candidates(brief, max_words=26)


def test_a_glossary_line_names_with_the_one_thing_the_book_names_with_the():
    usage = ("The periodic table lists the elements. In the periodic table, rows are periods. Mendeleev built the "
             "periodic table. Friction slows a sled; the friction force. Friction heats the runners. A kidney filters.")
    assert definition_sentence("periodic table", "table of the elements that places similar elements close together",
                               usage) == "The periodic table is a table of the elements that places similar elements close together."
    # said without an article (a substance, a process), or as one of many, it keeps its usual form
    assert definition_sentence("friction", "force that opposes relative motion", usage) == (
        "Friction is a force that opposes relative motion.")
    assert definition_sentence("kidney", "organ that filters the blood", usage) == "A kidney is an organ that filters the blood."
    assert definition_sentence("periodic table", "table of the elements") == "Periodic table is a table of the elements."
    # one of many, as the book says it: "a metalloid" more often than "metalloid"
    many = "A metalloid conducts moderately. Boron is a metalloid. Conduction moves heat in conduction."
    assert definition_sentence("metalloid", "element with some properties of metals", many) == (
        "A metalloid is an element with some properties of metals.")
    assert definition_sentence("conduction", "heat transfer by physical contact", many) == (
        "Conduction is a heat transfer by physical contact.")


def _candidate(text: str, *, kind: str, score: float, position: int) -> Candidate:
    passage = SourcePassage(id=f"p{position}", topic_id=1, module_id="m1", text=text if kind == "text" else
                            "exponential growth: " + text.split(" means ", 1)[-1], kind=kind, order=position)
    return Candidate(text, passage, (position, 0), True, similarity=score, score=score)


@pytest.mark.parametrize(("question", "opens_with"), [
    ("Why can't a population of animals keep growing forever?", "text"),
    ("What is exponential growth?", "glossary"),
    ("How does exponential growth change a population?", "glossary"),
])
def test_a_glossary_line_answers_only_a_question_about_its_term(question, opens_with):
    # given the section's definition of another term scoring highest, and a sentence of the text
    found = [_candidate("Exponential growth means accelerating growth seen when resources are not limiting.",
                        kind="glossary", score=0.9, position=1),
             _candidate("In the real world, with its limited resources, exponential growth cannot continue.",
                        kind="text", score=0.8, position=2)]
    # when the answer is selected
    selection = select(found, question, answer_words=20, why_words=40)
    # then a why-question about something else opens with the text; "what is"/naming the term may use the definition
    assert selection.answer[0].passage.kind == opens_with


@pytest.mark.parametrize(("grade_band", "joined"), [("11-12", True), ("9-10", True), ("6-8", False)])
def test_framing_is_written_in_the_students_register(mini_corpus, grade_band, joined):
    topic = mini_corpus.topic("m92101")
    question = "What is the cell membrane made of?"
    brief = LessonBrief(topic_id=topic.pk, topic_title=topic.title, subject=topic.subject, question=question,
                        interest="Music", grade_band=grade_band, passages=lesson_passages(topic, question),
                        key_terms=list(topic.key_terms), glossary=list(topic.glossary))
    script = validate_script(compose_script(brief), brief.passages)
    example = next(s for s in script["scenes"] if s["kind"] == "example")
    framing = [s["text"] for s in example["sentences"] if s["framing"]]
    # older students hear one full sentence ("Now let's bring the idea into music: picture ..., and notice ...");
    # grades 6-8 hear the same ideas as short sentences
    picture = next(text for text in framing if "icture " in text)
    assert (picture.startswith("Now let's bring") and "picture " in picture) is joined
    assert narration_of(example).count("music") >= 1


def test_a_causal_connective_only_where_the_book_made_the_link():
    passage, other = (SourcePassage(id=pid, topic_id=1, module_id="m1", text="", kind="text") for pid in ("p1", "p2"))
    cause = Candidate("Heating the gas makes its molecules move faster.", passage, (0, 3), True)
    effect = Candidate("The gas pressure rises when its molecules move faster.", passage, (0, 4), True,
                       relation="consequence")
    elsewhere = Candidate("The gas pressure rises when its molecules move faster.", other, (1, 0), True,
                          relation="consequence")
    # the sentence that followed its cause in the book keeps its "Thus" as "As a result"
    assert _facts([cause, effect])[1]["text"].startswith("As a result, the gas pressure")
    # the same sentence after a sentence it never followed claims no link
    assert _facts([cause, elsewhere])[1]["text"].startswith("The gas pressure")


def test_the_concepts_name_is_said_in_the_short_answer():
    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")

    def candidate(text, position, score):
        return Candidate(text, passage, (0, position), True, score=score)

    answer = candidate("With friction almost gone, the puck glides along with very little change in speed.", 3, 0.9)
    second = candidate("On a frictionless surface, the puck would feel no net external force.", 4, 0.85)
    why = candidate("Friction slows a sliding puck to a stop.", 1, 0.8)
    law = candidate("Newton's first law is also called the law of inertia.", 6, 0.3)
    brief = LessonBrief(topic_id=1, topic_title="Newton's First Law of Motion: Inertia", subject="physics",
                        question="Why does a puck keep sliding?", interest="hockey", grade_band="9-10", passages=[])
    selection = Selection([answer, second], [why], [answer, second, why, law])
    added = name_the_concept(selection, brief, brief.question, Embedder())
    # given the section's statement of its concept, added because the answer never names it
    assert added == [law]
    # when it is said early
    assert name_it_early(selection, added, answer_words=40, titles=[brief.topic_title]) is law
    # then it follows the best sentence in the short answer; the second answer sentence joins the why in book order
    assert selection.answer == [answer, law]
    assert selection.why == [why, second]
    # and a statement that would make the short answer too long stays in the why
    long = Selection([answer], [law], [answer, law])
    assert name_it_early(long, [law], answer_words=20, titles=[brief.topic_title]) is None
    assert long.answer == [answer]
    assert long.why == [law]


def test_a_side_concepts_definition_stays_out_of_the_short_answer():
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    glossary = SourcePassage(id="p2", topic_id=1, module_id="m1", kind="glossary",
                             text="adhesion: attraction between water molecules and other molecules")
    answer = Candidate("Ice floats because it is less dense than liquid water.", text, (0, 1), True, score=0.9)
    adhesion = Candidate("Adhesion is an attraction between water molecules and other molecules.", glossary, (1, 0),
                         True, score=0.5)
    stipules = Candidate("Small green appendages at the base of the petiole are known as stipules.", text, (0, 5), True,
                         score=0.4)
    # neither states a law nor names the idea the section's title names ("Water")
    selection = Selection([answer], [adhesion, stipules], [answer, adhesion, stipules])
    assert name_it_early(selection, [adhesion, stipules], answer_words=60, titles=["Water"]) is None
    assert selection.answer == [answer]
    # a law, or the statement of the title's idea, is said early
    law = Candidate("Archimedes' principle states that the buoyant force equals the weight of fluid displaced.", text,
                    (0, 7), True, score=0.4)
    density = Candidate("Density is mass per unit volume.", text, (0, 8), True, score=0.4)
    assert name_it_early(Selection([answer], [law], [answer, law]), [law], answer_words=60, titles=["Water"]) is law
    assert name_it_early(Selection([answer], [density], [answer, density]), [adhesion, density], answer_words=60,
                         titles=["Density"]) is density


def test_a_short_lesson_takes_more_of_the_sections_explanation():
    from content.writers.local import FILL_WORDS, _fit_length  # noqa: PLC0415 - private helpers under test

    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    texts = ["Friction between the tires and the road slows a car down gradually.",
             "Gravity pulls every falling apple toward the center of the Earth.",
             "A heavy truck carries much more momentum than a small bicycle.",
             "Inertia keeps a parked wagon still until someone gives it a shove.",
             "Air pressure inside a balloon pushes outward on its stretchy rubber walls.",
             "Dense metals like lead sink quickly when dropped into a bucket.",
             "A battery's voltage drives electric charge around a closed wire loop.",
             "Electric current flows faster through copper wires than through rubber bands.",
             "Opposite charges attract while like charges repel one another strongly.",
             "Stored chemical energy changes into heat when wood burns in a fireplace.",
             "Power measures how quickly a motor does work on its load.",
             "A longer wrench turns a stubborn bolt with less effort from you."]
    ranked = [Candidate(text, passage, (0, i), True, similarity=0.6, score=0.6) for i, text in enumerate(texts)]
    answer, *spare = ranked
    frame = {"text": "Framing " + "word " * 120, "citation": None, "framing": True}
    scenes = [{"kind": "hook", "sentences": [frame, {"text": answer.text, "citation": "p1", "framing": False}]},
              {"kind": "explanation", "sentences": [], "bullets": []},
              {"kind": "check", "sentences": [dict(frame)]}]
    # given a lesson of about 260 words, above the minimum but below FILL_WORDS
    before = sum(len(narration_of(s).split()) for s in scenes)
    assert 150 < before < FILL_WORDS
    # when its length is fitted
    _fit_length(scenes, Selection([answer], [], ranked), {id(answer)})
    after = sum(len(narration_of(s).split()) for s in scenes)
    # then the next-best sentences join the why until it reaches FILL_WORDS, never past the maximum
    assert FILL_WORDS <= after <= 300
    assert [s["text"] for s in scenes[1]["sentences"]] == [c.text for c in spare[:len(scenes[1]["sentences"])]]


def test_without_practice_items_the_quiz_checks_the_lessons_answer_and_why_not_vocabulary():
    from content.writers.quiz import build_quiz  # noqa: PLC0415 - the quiz builder under test

    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="", kind="text")
    glossary = [SourcePassage(id=f"p{i + 2}", topic_id=1, module_id="m1", kind="glossary", text=f"{term}: {meaning}")
                for i, (term, meaning) in enumerate([
                    ("inertia", "tendency of an object to remain at rest or remain in motion"),
                    ("friction", "force that opposes relative motion between systems in contact"),
                    ("net external force", "vector sum of all external forces acting on an object")])]
    answer = Candidate("A sliding puck keeps moving at constant velocity unless a net external force acts on it.",
                       text, (0, 1), True)
    why = [Candidate("Friction is a force that opposes the motion of the puck and slowly stops it.", text, (0, 2), True),
           Candidate("Inertia is the tendency of an object to stay at rest or to keep moving.", text, (0, 3), True),
           Candidate("Net external force means vector sum of all external forces acting on an object.", glossary[2],
                     (9, 0), True)]
    other = Candidate("The mass of an object is a measure of the amount of matter in it.", text, (0, 4), True)
    brief = LessonBrief(topic_id=1, topic_title="Newton's First Law of Motion: Inertia", subject="physics",
                        question="Why does a hockey puck keep sliding?", interest="hockey", grade_band="9-10",
                        passages=[text, *glossary], key_terms=["inertia", "friction", "net external force", "mass",
                                                               "velocity", "acceleration"],
                        glossary=[{"term": p.text.partition(":")[0], "meaning": p.text.partition(": ")[2]}
                                  for p in glossary])
    # given a section with no practice items and a lesson whose answer and why name its key terms
    quiz = build_quiz(brief, Selection([answer], why, [answer, *why, other]), Embedder(), question=brief.question,
                      worked=None, worked_passage=None)
    # then the three questions are built from the lesson's own answer and why sentences, none from a definition
    # (neither "Which term means ..." nor a blank in the why's glossary line)
    assert len(quiz) == 3
    lesson = {c.text for c in [answer, *why] if c.passage.kind != "glossary"}
    for item in quiz:
        assert not item["prompt"].startswith(("Which term means", "Which term completes"))
        assert item["explanation"].removeprefix("The textbook says: ") in lesson
        assert item["answer"] in item["choices"]
        assert len(item["choices"]) >= 3


def test_the_quiz_never_blanks_a_sentence_that_does_not_stand_alone():
    from content.writers.quiz import build_quiz  # noqa: PLC0415 - the quiz builder under test

    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="", kind="text")
    answer = Candidate("A sliding puck keeps moving at constant velocity unless a net external force acts on it.",
                       text, (0, 1), True)
    diagram = Candidate("Two more external forces act on the system: the weight W of the system pulling down and the "
                        "normal force N of the ground pushing up.", text, (0, 2), True, anecdote=True)
    plain = Candidate("Friction is a force that opposes the motion of an object and slowly stops it.", text, (0, 3),
                      True)
    brief = LessonBrief(topic_id=1, topic_title="Newton's First Law of Motion: Inertia", subject="physics",
                        question="Why does a hockey puck keep sliding?", interest="hockey", grade_band="9-10",
                        passages=[text], key_terms=["normal force", "friction", "net external force", "velocity",
                                                    "inertia", "mass"])
    quiz = build_quiz(brief, Selection([answer], [], [answer, diagram, plain]), Embedder(), question=brief.question,
                      worked=None, worked_passage=None)
    assert quiz
    assert not any("weight W" in item["prompt"] for item in quiz)


def test_a_sentence_of_the_sections_own_summary_is_preferred_as_the_answer():
    from content.pipeline.evidence import is_summary  # noqa: PLC0415 - the helper under test
    from content.writers.answer import SUMMARY_BONUS, score_candidates  # noqa: PLC0415 - the scorer under test

    assert is_summary(["Reaction Rates", "Key Concepts and Summary"])
    assert is_summary(["Cell Division", "Section Summary"])
    assert not is_summary(["Cell Division", "Summary of Problem Solving"])
    assert not is_summary([])
    # given the same statement in the section's summary and in its body
    text = "If temperature or reactant concentration is increased, the rate of a reaction generally increases."
    summary, body = (SourcePassage(id=pid, topic_id=1, module_id="m1", text=text, summary=pid == "p1")
                     for pid in ("p1", "p2"))
    found = [Candidate(text, summary, (0, 0), True), Candidate(text, body, (1, 0), True)]
    brief = LessonBrief(topic_id=1, topic_title="Factors Affecting Reaction Rates", subject="chemistry",
                        question="What makes a reaction go faster?", interest="music", grade_band="9-10",
                        passages=[summary, body])
    # when they are scored for the question
    scored = {c.passage.id: c.score for c in score_candidates(found, brief, brief.question, Embedder(),
                                                              target_grade=9.5)}
    # then the summary's copy scores higher, by the summary bonus
    assert scored["p1"] - scored["p2"] == pytest.approx(SUMMARY_BONUS)


def test_a_sentence_that_says_nothing_new_is_a_near_duplicate():
    from content.writers.answer import near_duplicate  # noqa: PLC0415 - the helper under test

    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    longer = Candidate("The blood from the heart is carried through the body by a complex network of blood vessels; "
                       "arteries take blood away from the heart, and veins bring blood back to the heart.",
                       passage, (0, 1), True)
    part = Candidate("Arteries take blood away from the heart.", passage, (0, 2), True)
    other = Candidate("The heart has four chambers: two atria and two ventricles.", passage, (0, 3), True)
    # the clause the longer sentence already says is a repeat; a new fact about the heart is not
    assert near_duplicate(part, longer)
    assert near_duplicate(longer, part)
    assert not near_duplicate(other, longer)


def test_a_retrieved_section_closer_to_the_question_has_its_concept_named_first():
    from content.writers.concept import closer_sections  # noqa: PLC0415 - the helper under test

    main = SourcePassage(id="p1", topic_id=1, module_id="m1", text="", section_title="Photosynthesis",
                         relevance=0.45)
    closer = SourcePassage(id="p2", topic_id=2, module_id="m2", text="", section_title="Nuclear Fission and Fusion",
                           relevance=0.6)
    farther = SourcePassage(id="p3", topic_id=3, module_id="m3", text="", section_title="Solar Cells",
                            relevance=0.4)
    brief = LessonBrief(topic_id=1, topic_title="Photosynthesis", subject="biology", interest="reading",
                        question="Where does the Sun get its energy?", grade_band="9-10",
                        passages=[main, closer, farther])
    # given another retrieved section whose best passage is closer to the question than the chosen section's
    assert closer_sections(brief) == [("m2", "Nuclear Fission and Fusion")]
    answer = Candidate("The sun provides the energy that photosynthesis captures.", main, (0, 1), True, score=0.9)
    fusion = Candidate("Fusion is the source of energy in stars like the Sun.", closer, (100_000, 0), False,
                       score=0.5, similarity=0.6)
    cells = Candidate("Solar cells convert the Sun's light into electricity.", farther, (100_001, 0), False, score=0.4)
    photosynthesis = Candidate("Photosynthesis is the process that converts light energy into chemical energy.",
                               main, (0, 3), True, score=0.6)
    selection = Selection([answer], [], [answer, photosynthesis, fusion, cells])
    # when the lesson names its concepts
    added = name_the_concept(selection, brief, brief.question, Embedder())
    # then the closer section's statement of its concept comes first (it is said early); the farther section's is not
    assert added[0] is fusion
    assert cells not in selection.why


def test_a_sentence_about_an_examples_prop_does_not_stand_alone():
    from content.writers.sentences import continues_example, names_by_symbol  # noqa: PLC0415 - helpers under test

    parts = ["For example, a girl pulls a sled up a snowy slope at a steady speed.",
             "The sled is not speeding up, so the forces on it balance.",
             "The force of gravity pulls every object toward the ground."]
    question = "Why is it hard to pull something heavy uphill?"
    # the sled is a prop only this passage's example introduced: going on about it is no first answer
    assert continues_example(parts, 1, question, elsewhere="gravity pulls on every object.")
    # a general statement with a definite description ("the force", "the ground") stands alone
    assert not continues_example(parts, 2, question, elsewhere="gravity pulls on every object.")
    # a sled the student asked about, or one the lesson's other passages discuss, is not a mere prop
    assert not continues_example(parts, 1, "Why does a sled slide downhill?")
    assert not continues_example(parts, 1, question, elsewhere="a sled on ice glides far.")
    # nor is a thing of the example the sentence before asked the reader to picture ("the puck" of an air
    # hockey table); a general statement after it stands alone
    pictured = ["Consider an air hockey table.", "When the air is off, the puck stops quickly.",
                "The force of friction slows every object."]
    assert continues_example(pictured, 1, question)
    assert not continues_example(pictured, 2, question)
    # "the same", "the other" are not things an example introduced
    assert not continues_example(["A same-day test and another one.", "The same holds at the other end."], 1, "")
    # quantities named by their letters belong to a diagram or a calculation
    assert names_by_symbol("Friction f acting on the runners slows the sled.")
    assert names_by_symbol("When N is large, (K-N)/K is close to zero.")
    assert not names_by_symbol("Friction acting on the runners slows a sled.")
    assert not names_by_symbol("A sled is a vehicle that slides over snow.")


def test_the_short_answer_does_not_open_with_an_examples_prop():
    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    prop = Candidate("The sled is not speeding up, so the forces on it balance.", passage, (0, 1), True,
                     anecdote=True, similarity=0.5, score=0.9)
    law = Candidate("A larger mass needs a larger force to reach the same acceleration.", passage, (0, 4), True,
                    similarity=0.45, score=0.8)
    # given the example's sentence scoring highest
    selection = select([prop, law], "Why is it hard to pull something heavy uphill?", answer_words=40, why_words=60)
    # then the general statement is the answer; the example's sentence does not explain either (heard
    # without its example, "the sled" is a thing the lesson never introduced)
    assert selection.answer == [law]
    assert prop not in selection.why


def test_an_example_answered_first_is_followed_by_the_principle_the_book_states_after_it():
    section = [SourcePassage(id=f"p{n}", topic_id=1, module_id="m1", text="") for n in range(4)]
    example = Candidate("If we carry a sealed bag of crisps up a mountain, the bag puffs up.", section[1], (1, 2),
                        True, similarity=0.8, score=1.0)
    # the book's generalisation shares no word with the question, so it is far from it
    law = Candidate("Boyle's law states that a gas takes up more room when the pressure on it is lower.",
                    section[2], (2, 0), True, similarity=0.2, score=0.4)
    later = Candidate("The ideal gas law states that pressure, volume and temperature are linked.",
                      section[3], (3, 1), True, similarity=0.3, score=0.45)
    question = "Why does a bag of crisps puff up in the mountains?"
    # given an example as the best answer and no principle close to the question
    selection = select([example, later, law], question, answer_words=50, why_words=60)
    # then the principle the book states right after the example completes the short answer
    assert selection.answer == [example, law]
    # but not a principle further on in the section
    assert select([example, later], question, answer_words=50, why_words=60).answer == [example]
    # and a general statement answered first is not an example: nothing is added to it
    fact = Candidate("A sealed bag of crisps puffs up where the air pressure is lower.", section[1], (1, 2), True,
                     similarity=0.8, score=1.0)
    assert select([fact, later, law], question, answer_words=50, why_words=60).answer == [fact]


def test_a_concepts_statement_unrelated_to_the_question_names_no_concept():
    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    answer = Candidate("A door turns easily when you push it far from its hinges.", passage, (0, 1), True,
                       score=0.9, similarity=0.8, vector=[1.0, 0.0])
    kinematics = Candidate("Rotational motion is described by angles, angular speeds and times.", passage, (0, 5),
                           True, score=0.2, similarity=0.05, vector=[0.0, 1.0])
    brief = LessonBrief(topic_id=1, topic_title="Rotational Motion", subject="physics",
                        question="Why is a door easier to open far from its hinges?", interest="art",
                        grade_band="6-8", passages=[])
    # given the section's concept, whose only statement has nothing to do with the question
    selection = Selection([answer], [], [answer, kinematics])
    # then the lesson does not name it through that statement (it would take the short answer's place)
    assert name_the_concept(selection, brief, brief.question, Embedder()) == []
    assert selection.why == []
    # while a statement whose similarity is unknown (no embeddings) is still taken
    blind = Candidate(kinematics.text, passage, (0, 5), True, score=0.2)
    assert name_the_concept(Selection([answer], [], [answer, blind]), brief, brief.question, Embedder()) == [blind]


def test_the_textbook_example_comes_from_a_section_the_lesson_teaches():
    def candidate(text, module_id, similarity):
        passage = SourcePassage(id=f"p-{module_id}", topic_id=1, module_id=module_id, text=text, kind="text")
        return Candidate(text, passage, (1, 0), module_id == "m-taught", similarity=similarity, score=similarity)

    # given an example of another section that shares the question's words, and a weaker one of the taught section
    elsewhere = candidate("For example, a polished spoon shows both kinds of mirror curvature.", "m-other", 0.7)
    taught = candidate("For example, a straw in a glass of water looks broken at the surface.", "m-taught", 0.4)
    # then the lesson's example is the taught section's
    assert _example_sentence([elsewhere, taught], set(), {"m-taught"}) is taught
    assert _example_sentence([elsewhere], set(), {"m-taught"}) is None


def test_the_principle_after_the_answer_is_the_one_nearest_the_question():
    own, other = (SourcePassage(id=p, topic_id=1, module_id="m1", text="") for p in ("p-own", "p-other"))
    best = Candidate("Iron will rust when it is left out in wet air for a few weeks.", own, (0, 0), True,
                     similarity=0.8, score=1.0)
    # the answer's own passage states a principle that is about something else ...
    chromium = Candidate("Chromium tends to collect near the surface, where it forms a protective layer.", own,
                         (0, 3), True, similarity=0.5, score=0.8)
    # ... and another passage of the section defines the asked-about change
    rusting = Candidate("Rusting is called corrosion: a metal slowly reacts with oxygen and water.", other,
                        (2, 0), True, similarity=0.7, score=0.9)
    question = "Why does iron rust when it's left outside?"
    assert select([best, chromium, rusting], question, answer_words=50, why_words=60).answer == [best, rusting]
    # while of two about as close, the answer's own passage's is said (it continues the answer)
    closer = Candidate(chromium.text, own, (0, 3), True, similarity=0.68, score=0.8)
    assert select([best, closer, rusting], question, answer_words=50, why_words=60).answer == [best, closer]


def test_a_why_is_answered_first_by_the_asked_fact_stated_with_its_cause():
    from content.writers.answer import score_candidates  # noqa: PLC0415 - the scorer
    from content.writers.question_forms import explains_asked  # noqa: PLC0415 - the helper under test

    question = "Why are most plants green?"
    asked = stems(question)
    direct = "Most leaves are usually green, due to the presence of chlorophyll in the leaf cells."
    aside = "Some leaves may have different colors, caused by other plant pigments that mask the green chlorophyll."
    assert explains_asked(direct, asked)
    # a cause of something else, the asked fact taken as a cause, or the fact without its cause: not the answer
    assert not explains_asked(aside, asked)
    assert not explains_asked("Because plants are green, they look dark in red light.", asked)
    assert not explains_asked("Most plants are green.", asked)
    # scored, the statement of the fact with its cause gains over the same words with the cause first
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    brief = LessonBrief(topic_id=1, topic_title="Leaves", subject="biology", question=question, interest="chess",
                        grade_band="6-8", passages=[text])
    reordered = "Due to the presence of chlorophyll in the leaf cells, most leaves are usually green."
    assert not explains_asked(reordered, asked)
    found = [Candidate(direct, text, (0, 0), True), Candidate(reordered, text, (0, 1), True)]
    scored = {c.text: c.score for c in score_candidates(found, brief, question, Embedder(), target_grade=7.5)}
    assert scored[direct] - scored[reordered] > 0.03


def test_a_how_is_answered_by_the_asked_thing_and_its_means():
    from content.writers.answer import score_candidates  # noqa: PLC0415 - the scorer
    from content.writers.question_forms import explains_how  # noqa: PLC0415 - the helper under test

    asked = stems("How do plants take in carbon dioxide?")
    assert explains_how("Plants take in carbon dioxide through small pores called stomata.", asked)
    # the means of something else, or a reason rather than a means
    assert not explains_how("Animals release carbon dioxide by breathing out.", stems("How do plants grow?"))
    assert not explains_how("Plants take in carbon dioxide because they need carbon.", asked)
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    question = "How do plants take in carbon dioxide?"
    brief = LessonBrief(topic_id=1, topic_title="Leaves", subject="biology", question=question, interest="chess",
                        grade_band="6-8", passages=[text])
    # scored, it gains over a sentence with the same words that does not say the means after the asked thing
    direct = "Plants take in carbon dioxide through small pores called stomata."
    other = "Small pores called stomata let plants take in carbon dioxide."
    found = [Candidate(direct, text, (0, 0), True), Candidate(other, text, (0, 1), True)]
    scored = {c.text: c.score for c in score_candidates(found, brief, question, Embedder(), target_grade=7.5)}
    assert scored[direct] - scored[other] > 0.03


def test_a_weak_answer_is_not_followed_by_a_principle_about_something_else():
    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    best = Candidate("Some levers exert a large force through a short arm.", passage, (0, 0), True,
                     similarity=0.36, score=0.6)
    pitch = Candidate("The distance between screw threads is called pitch.", passage, (0, 3), True,
                      similarity=0.3, score=0.55)
    question = "Why do tightrope walkers carry a long pole?"
    # given a best answer only loosely about the question, a definition further from it is not said after it
    assert select([best, pitch], question, answer_words=50, why_words=60).answer == [best]
    # while one as close to the question as the floor is
    close = Candidate("A long pole is called a balancing aid because it resists turning.", passage, (0, 3), True,
                      similarity=NEAR_PRINCIPLE_FLOOR, score=0.55)
    assert select([best, close], question, answer_words=50, why_words=60).answer == [best, close]


def test_the_questions_words_meet_the_books_in_their_stems():
    # "2 molar" asks about molarity; a crude suffix cut kept "molari" and "molar" apart
    asked = stems("What does it mean when a solution is 2 molar?")
    assert "molar" in asked & stems("The molarity of a solution is the number of moles of solute per liter.")
    assert stems("Why is energy conserved?") & stems("the law of conservation of energy") == {"energi", "conserv"}


def test_what_is_x_is_answered_by_the_definition_of_x_itself():
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    substrate = SourcePassage(id="p2", topic_id=1, module_id="m1", kind="glossary",
                              text="substrate: molecule on which the enzyme acts")
    term = asked_about("What is an enzyme?")
    assert term == asked_about("What are enzymes?")
    assert asked_about("What is the difference between weather and climate and why does it matter?") == set()
    assert defines(Candidate("Enzymes are usually proteins made of polypeptide chains.", text, (0, 0), True), term) == 1
    assert defines(Candidate("Molecules that speed up reactions in cells are called enzymes.", text, (0, 1), True),
                   term) == 1
    assert defines(Candidate("A digestive enzyme is one that breaks down food.", text, (0, 2), True), term) == 0.5
    assert defines(Candidate("Substrate is a molecule on which the enzyme acts.", substrate, (1, 0), True), term) == 0
    assert defines(Candidate("The reactants to which an enzyme binds are its substrates.", text, (0, 3), True),
                   term) == 0


def test_what_x_is_made_of_is_answered_by_what_makes_it_up_or_causes_it():
    from content.writers.answer import score_candidates  # noqa: PLC0415 - the helpers under test
    from content.writers.question_forms import WHY_QUESTION, made_of_asked, says_made_of  # noqa: PLC0415 - the helpers under test

    term = made_of_asked("What is gas pressure really made of?")
    assert term == made_of_asked("What does gas pressure consist of?") == stems("gas pressure")
    assert made_of_asked("What makes up an atom?") == stems("atom")
    assert made_of_asked("What is pressure?") == made_of_asked("What is made of atoms?") == set()
    # "What makes up ...?" asks what, not why
    assert not WHY_QUESTION.search("What makes up an atom?")
    assert WHY_QUESTION.search("What makes a reaction go faster?")
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    cause = Candidate("Gas pressure is caused by gas molecules colliding with the walls.", text, (0, 0), True)
    units = Candidate("Gas pressure may be expressed in pascals, torr or atmospheres.", text, (0, 1), True)
    assert says_made_of(cause, term)
    assert not says_made_of(units, term)
    assert says_made_of(Candidate("The four molecules that make up DNA are called nucleotides.", text, (0, 2), True),
                        stems("DNA"))
    assert not says_made_of(Candidate("Water is made of hydrogen and oxygen.", text, (0, 3), True), term)
    # and scored for the question, it outranks a sentence of the section's summary on the units of pressure
    summary = SourcePassage(id="p2", topic_id=1, module_id="m1", text="", summary=True)
    question = "What is gas pressure really made of?"
    brief = LessonBrief(topic_id=1, topic_title="Gas Pressure", subject="chemistry", question=question,
                        interest="music", grade_band="9-10", passages=[text, summary])
    found = [Candidate(cause.text, text, (0, 0), True), Candidate(units.text, summary, (1, 0), True)]
    best = max(score_candidates(found, brief, question, Embedder(), target_grade=9.5), key=lambda c: c.score)
    assert best.text == cause.text
    # what saying what X is made of gains outweighs what a summary sentence naming a list of key terms gains
    # ("… in the SI unit of pascal or kilopascal, … torr, atmosphere, and bar." beat the cause by 0.009 at 0.1)
    from content.writers.answer import MADE_OF_ASKED_BONUS, MAX_TERMS, SUMMARY_BONUS, TERM_BONUS  # noqa: PLC0415
    assert MADE_OF_ASKED_BONUS > SUMMARY_BONUS + TERM_BONUS * (MAX_TERMS - 1)


def test_what_x_does_is_answered_by_a_sentence_whose_subject_x_does_it():
    from content.writers.question_forms import function_asked, says_function  # noqa: PLC0415 - the helpers under test

    term = function_asked("What do mitochondria do?")
    assert term == function_asked("What is the job of the mitochondria?") == function_asked("What are mitochondria "
                                                                                              "for?")
    assert function_asked("What do plants need to grow?") == set()
    # a purpose asked as a why is the same question: what the thing does for us
    assert function_asked("Why do we even have mitochondria?") == term == function_asked("Why are mitochondria so "
                                                                                           "important?")
    assert function_asked("Why does our body need ATP?") == stems("ATP")
    assert function_asked("Why do we need to breathe oxygen?") == function_asked("Why does ice float?") == set()
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    glossary = SourcePassage(id="p2", topic_id=1, module_id="m1", kind="glossary", text="mitochondria: organelles")
    assert says_function(Candidate("Mitochondria are organelles responsible for making ATP.", glossary, (1, 0), True),
                         term)
    assert says_function(Candidate("Mitochondria produce most of the cell's ATP.", text, (0, 0), True), term)
    # not a verb of a clause about something else, nor a sentence whose subject is not the asked thing
    for other in ("Mitochondria have a membrane that provides a large surface.",
                  "In mitochondria, this process uses oxygen and produces carbon dioxide.",
                  "Mitochondria function is regulated by the cell.",
                  "Mitochondria are oval-shaped organelles with their own DNA."):
        assert not says_function(Candidate(other, text, (0, 1), True), term), other


def test_a_sentences_vector_does_not_move_with_the_sentences_embedded_beside_it():
    # the local int8 model scales its activations per batch: embedded together, a sentence's cosine to the
    # question moved by ~0.02 with its companions, enough to reorder close candidates
    sentence = "Gas pressure is caused by the force exerted by gas molecules colliding with the walls."
    companions = ["The pressure of a gas may be expressed in pascals, torr, atmospheres and bars, among many other "
                  "units that scientists and engineers use every day in laboratories and factories.",
                  "Atmospheric pressure is measured using a barometer.", "Ice floats.",
                  "The earth's atmosphere exerts a pressure, as does any other gas."]
    alone = Embedder().documents([sentence])[0]
    together = Embedder().documents([*companions, sentence])[-1]
    assert alone is not None
    assert together == pytest.approx(alone, abs=1e-6)


def test_what_x_does_is_answered_first_by_a_sentence_naming_the_function_of_x():
    from content.writers.answer import score_candidates  # noqa: PLC0415 - the scorer
    from content.writers.question_forms import function_asked, names_function  # noqa: PLC0415 - the helper

    question = "What does the heart actually do with the blood?"
    term = function_asked(question)
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    named = Candidate("The main purpose of the heart is to pump blood through the body.", text, (0, 0), True)
    assert names_function(named, term)
    for other in ("The exact function of the heart is unknown.", "The role of the heart in memory is not understood.",
                  "The functions of the heart are regulated by hormones.", "The heart has its own blood vessels."):
        assert not names_function(Candidate(other, text, (0, 1), True), term), other
    route = Candidate("The blood from the heart is carried through the body by a network of blood vessels.", text,
                      (0, 2), True)
    brief = LessonBrief(topic_id=1, topic_title="The Heart", subject="biology", question=question,
                        interest="music", grade_band="9-10", passages=[text])
    best = max(score_candidates([route, named], brief, question, Embedder(), target_grade=9.5), key=lambda c: c.score)
    assert best is named


def test_a_why_is_not_answered_by_what_follows_from_the_asked_fact():
    from content.writers.question_forms import takes_as_given  # noqa: PLC0415 - the helper under test

    asked = stems("Why is salt water a good conductor of electricity?")
    assert takes_as_given("Because salt water is a relatively good conductor, electric fish live in the oceans.",
                          asked)
    assert not takes_as_given("Because salt water is full of ions, it is a good conductor of electricity.", asked)
    assert not takes_as_given("Salt water conducts electricity because its ions carry charge.", asked)


def test_a_function_question_prefers_a_sentence_stating_the_purpose():
    from content.writers.answer import _FUNCTION  # noqa: PLC0415 - the cue words under test

    assert _FUNCTION.search("The main purpose of the heart is to pump blood through the body.")
    assert _FUNCTION.search("The job of red blood cells is to carry oxygen.")
    assert not _FUNCTION.search("The heart has four chambers.")


def test_a_sentence_with_two_content_words_is_not_contained_in_every_sentence_using_them():
    passage = SourcePassage(id="p1", topic_id=1, module_id="m1", text="")
    acidic = Candidate("Acidic is a solution in which [H3O^+] > [OH^−].", passage, (0, 0), True)
    ph = Candidate("The pH of a solution indicates its acidity or basicity.", passage, (0, 1), True)
    assert not near_duplicate(acidic, ph)
    arteries = Candidate("Arteries take blood away from the heart.", passage, (0, 2), True)
    vessels = Candidate("Blood vessels branch out; arteries take blood away from the heart, and veins bring it back.",
                        passage, (0, 3), True)
    assert near_duplicate(arteries, vessels)


def test_another_retrieved_sections_glossary_term_is_named_when_the_lesson_misses_it():
    embedder = Embedder()
    question = "What happens when you mix an acid with a base?"
    water = SourcePassage(id="p1", topic_id=1, module_id="m-water", section_title="Water",
                          text="Mixing an acid and a base in water is a neutralization reaction.")
    own_term = SourcePassage(id="p2", topic_id=1, module_id="m-water", kind="glossary",
                             text="cohesion: intermolecular forces between water molecules")
    other_term = SourcePassage(id="p3", topic_id=2, module_id="m-acids", kind="glossary",
                               text="neutralization reaction: reaction between an acid and a base that produces "
                                    "a salt and water")

    def candidate(text, passage, main, score):
        vector = embedder.documents([text])[0]
        return Candidate(text, passage, (0, 1), main, score=score, vector=vector,
                         similarity=cosine(embedder.query(question), vector))

    answer = candidate("Acids and bases change the pH of the water they are dissolved in.", water, True, 0.9)
    cohesion = candidate("Cohesion is intermolecular forces between water molecules.", own_term, True, 0.2)
    neutralization = candidate("A neutralization reaction is a reaction between an acid and a base that produces "
                               "a salt and water.", other_term, False, 0.3)
    brief = LessonBrief(topic_id=1, topic_title="Water", subject="biology", interest="cooking", question=question,
                        grade_band="6-8", passages=[water, own_term, other_term])
    # given a lesson whose own section's glossary names no concept near the question
    selection = Selection([answer], [], [answer, cohesion])
    # when another retrieved section's glossary has a term near it, that section's line names the concept
    assert name_the_concept(selection, brief, question, embedder, borrowed=[neutralization]) == [neutralization]
    # without it, the lesson falls back to its own section's nearest term (or none)
    selection = Selection([answer], [], [answer, cohesion])
    assert neutralization not in name_the_concept(selection, brief, question, embedder)
    # nor when the chosen section never uses the borrowed term (a definition near the question in words only)
    silent = SourcePassage(id="p1", topic_id=1, module_id="m-water", section_title="Water",
                           text="Acids and bases change the pH of water.")
    brief = LessonBrief(topic_id=1, topic_title="Water", subject="biology", interest="cooking", question=question,
                        grade_band="6-8", passages=[silent, own_term, other_term])
    selection = Selection([answer], [], [answer, cohesion])
    assert neutralization not in name_the_concept(selection, brief, question, embedder, borrowed=[neutralization])
    # nor a borrowed definition only loosely near the question (0.35: a section's own term would count)
    asked = embedder.query(question)
    norm = sum(x * x for x in asked) ** 0.5
    unit = [x / norm for x in asked]
    other_axis = [1.0 if i == 0 else 0.0 for i in range(len(unit))]
    along = sum(a * b for a, b in zip(other_axis, unit, strict=True))
    ortho = [o - along * u for o, u in zip(other_axis, unit, strict=True)]
    ortho_norm = sum(x * x for x in ortho) ** 0.5
    similarity = 0.35
    loose_vector = [similarity * u + (1 - similarity ** 2) ** 0.5 * o / ortho_norm for u, o in zip(unit, ortho,
                                                                                                    strict=True)]
    loose = Candidate(neutralization.text, other_term, (0, 1), False, score=0.3, vector=loose_vector,
                      similarity=similarity)
    brief = LessonBrief(topic_id=1, topic_title="Water", subject="biology", interest="cooking", question=question,
                        grade_band="6-8", passages=[water, own_term, other_term])
    assert abs(cosine(asked, loose_vector) - similarity) < 1e-6
    selection = Selection([answer], [], [answer, cohesion])
    assert loose not in name_the_concept(selection, brief, question, embedder, borrowed=[loose])
    # and once the lesson names the borrowed term, nothing is added for it
    named = candidate("In a neutralization reaction, an acid and a base form water and a salt.", water, True, 0.8)
    selection = Selection([named], [], [named, cohesion])
    assert neutralization not in name_the_concept(selection, brief, question, embedder, borrowed=[neutralization])


def test_the_quiz_asks_no_term_of_another_section_the_lesson_never_says():
    from content.writers.quiz import build_quiz  # noqa: PLC0415 - the quiz builder under test

    text = SourcePassage(id="p1", topic_id=1, module_id="m1", text="", kind="text")
    own = SourcePassage(id="p2", topic_id=1, module_id="m1", kind="glossary",
                        text="combustion: reaction of a fuel with oxygen that releases heat and light")
    other = SourcePassage(id="p3", topic_id=2, module_id="m2", kind="glossary",
                          text="flame cell: excretory cell found in flatworms")
    answer = Candidate("A candle flame goes out when the oxygen around it is used up.", text, (0, 1), True)
    brief = LessonBrief(topic_id=1, topic_title="Combustion", subject="chemistry",
                        question="Why does a candle flame need oxygen?", interest="cooking", grade_band="6-8",
                        passages=[text, own, other], key_terms=["combustion", "oxygen", "fuel", "heat", "flame cell",
                                                                "oxidation", "flatworm"])
    # given another retrieved section's glossary line close to the question in words, never said in the lesson
    quiz = build_quiz(brief, Selection([answer], [], [answer]), Embedder(), question=brief.question, worked=None,
                      worked_passage=None)
    # then no quiz question asks for that term; the section's own term may be asked
    assert quiz
    assert all(item["answer"].lower() != "flame cell" for item in quiz)
    assert any(item["answer"].lower() == "combustion" for item in quiz)
    # nor a borrowed term the lesson "says" only inside another word ("ion" in "combustion")
    ion = SourcePassage(id="p4", topic_id=2, module_id="m2", kind="glossary",
                        text="ion: electrically charged atom or molecule")
    brief.passages[:] = [text, ion]
    said_inside = Candidate("A candle flame needs oxygen for combustion.", text, (0, 1), True)
    quiz = build_quiz(brief, Selection([said_inside], [], [said_inside]), Embedder(), question=brief.question,
                      worked=None, worked_passage=None)
    assert all(item["answer"].lower() != "ion" for item in quiz)


def test_another_sections_glossary_does_not_change_how_the_lesson_says_its_own_terms():
    from content.writers.answer import candidates  # noqa: PLC0415 - the candidate builder under test

    text = SourcePassage(id="p1", topic_id=1, module_id="m1", kind="text",
                         text="A mixture can be separated by physical means. A mixture of sand and water settles.")
    own = SourcePassage(id="p2", topic_id=1, module_id="m1", kind="glossary",
                        text="mixture: matter that can be separated into its components by physical means")
    borrowed = [SourcePassage(id=f"p{3 + i}", topic_id=2, module_id="m2", kind="glossary", text=line)
                for i, line in enumerate(["heterogeneous mixture: mixture whose composition varies from point to point",
                                          "homogeneous mixture: mixture of uniform composition throughout",
                                          "solution: mixture in which a solute dissolves in a solvent"])]
    brief = LessonBrief(topic_id=1, topic_title="Classification of Matter", subject="chemistry", interest="art",
                        question="What is a mixture?", grade_band="9-10", passages=[text, own, *borrowed])
    # the section says "a mixture"; the other section's "term: meaning" lines say it bare four times
    said = [c.text for c in candidates(brief, max_words=30) if c.passage is own]
    assert len(said) == 1
    assert said[0].startswith("A mixture is ")


def test_another_sections_glossary_does_not_weigh_the_questions_words():
    from content.writers.answer import score_candidates  # noqa: PLC0415 - the scorer under test

    question = "How do you get sand back out of a mixture with salt?"
    text = SourcePassage(id="p1", topic_id=1, module_id="m1", kind="text", relevance=0.5,
                         text="A mixture can be separated by physical means.")
    sentence = Candidate("A mixture can be separated by physical means.", text, (0, 0), True)
    brief = LessonBrief(topic_id=1, topic_title="Mixtures", subject="chemistry", interest="art", question=question,
                        grade_band="9-10", passages=[text])
    alone = score_candidates([sentence], brief, question, Embedder(), target_grade=9.5)[0].lexical
    # given other sections' glossary lines that all say "mixture" (which would make it a common word)
    borrowed = [Candidate(f"A {kind} mixture is a mixture of several substances.",
                          SourcePassage(id=f"g{n}", topic_id=2, module_id="m2", kind="glossary",
                                        text=f"{kind} mixture: mixture of several substances"), (200_000, n), False)
                for n, kind in enumerate(["heterogeneous", "homogeneous", "racemic", "eutectic"])]
    sentence = Candidate("A mixture can be separated by physical means.", text, (0, 0), True)
    scored = score_candidates([sentence, *borrowed], brief, question, Embedder(), target_grade=9.5)
    # then the section's sentence weighs the question's words ("mixture" against "sand") as it did without them
    assert 0 < alone < 1
    assert next(c for c in scored if c.passage is text).lexical == pytest.approx(alone)
