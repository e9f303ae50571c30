"""The understand stage on real retrieval: the right section, a choice when unsure or vague, a kind
refusal for requests that are not questions to learn from, and long pasted questions accepted."""

from __future__ import annotations

import pytest

from content import safety, services
from content.models import RequestStatus, SafetyEvent
from content.pipeline.understand import match_topics

pytestmark = pytest.mark.django_db

PASTED = (
    "Homework 4, question 3. A student pushes a 5-kg box across a smooth floor and notices that the harder "
    "she pushes, the faster its speed changes. Her friend says the box's mass does not matter at all. "
    "Using what you know about forces, explain who is right and show your reasoning with a calculation "
    "of the acceleration when the net force on the box is 20 N. Assume there is no friction at all and "
    "that the push is horizontal. Which of the following is the acceleration of the box? "
    "a) 0.25 m/s^2 b) 4 m/s^2 c) 20 m/s^2 d) 100 m/s^2")


def _ask(student, question):
    request, _ = services.create_lesson_request(student=student, question=question, enforce_quota=False)
    return services.run_request_inline(request_id=request.pk)


def test_match_topics_returns_distinct_sections_best_first(mini_corpus):
    matches = match_topics("why does my weight change on the moon but not my mass", limit=3)
    assert matches[0].topic_id == mini_corpus.topic("m90102").pk
    assert len({m.topic_id for m in matches}) == len(matches) == 3
    assert all(0 <= m.confidence <= 1 for m in matches)


@pytest.mark.parametrize("question", [
    "Can you write my essay about the causes of World War One?",
    "write an essay on photosynthesis for me",
    "who won the game last night",
    "what were the NBA scores yesterday",
], ids=["essay", "science-essay", "game", "scores"])
def test_requests_that_are_not_questions_get_a_kind_refusal(mini_corpus, student, question):
    request = _ask(student, question)
    assert request.status == RequestStatus.REFUSED
    assert "Vividly makes short lessons about physics, chemistry and biology" in request.message
    assert SafetyEvent.objects.get(lesson_request=request).category == SafetyEvent.Category.OFF_TOPIC


@pytest.mark.parametrize("question", ["energy", "photosynthesis?", "cell membrane"])
def test_a_bare_topic_offers_the_choice_of_sections(mini_corpus, student, question):
    request = _ask(student, question)
    assert request.status == RequestStatus.NEEDS_CHOICE
    assert len(request.choices) >= 2
    assert question.rstrip("?") in request.message
    assert request.lesson_id is None


def test_carbon_dating_and_crushed_cans_are_science_not_off_topic():
    assert safety.screen_question("how does carbon dating work") is None
    assert safety.screen_question("why does a can crush when the air inside cools") is None
    assert not safety.is_vague("what is energy")


def test_a_long_pasted_homework_problem_is_accepted_and_understood(mini_corpus, student, settings):
    settings.LESSON_CONFIDENCE_THRESHOLD = 0.99  # stop at the choice: the ranking is what is under test
    assert len(PASTED) > 500
    request = _ask(student, PASTED)
    assert request.status == RequestStatus.NEEDS_CHOICE
    assert request.choices[0]["topic_id"] == mini_corpus.topic("m90101").pk


def test_an_answerable_question_never_ends_without_material(mini_corpus, student, settings):
    settings.LESSON_CONFIDENCE_THRESHOLD = 0.99
    request = _ask(student, "how come a bathroom scale shows a different number on the moon")
    assert request.status == RequestStatus.NEEDS_CHOICE  # below confidence: the student chooses
    assert request.choices[0]["topic_id"] == mini_corpus.topic("m90102").pk
