"""Gemini through google-genai against the fake Google over real HTTP (issue 19).

Contract: what the SDK sends must match Google's REST reference for
`projects.locations.publishers.models.generateContent` (Vertex AI) and `models.generateContent`
(Gemini API): path with project/region/model, bearer token from ADC (never a key on Vertex AI),
`systemInstruction`, `generationConfig.responseMimeType/responseSchema`, `safetySettings`.
"""

from __future__ import annotations

import json
import logging

import pytest

from content.writers.remote import SCHEMA
from tests.support.fake_google import (
    FAKE_ACCESS_TOKEN,
    Reply,
    gemini_text_reply,
    rate_limited,
    server_error,
)
from vividly.observability.redaction import RedactURLSecretsFilter
from vividly.providers.base import ProviderFatal, ProviderRetryable
from vividly.providers.gemini import HARM_CATEGORIES, GeminiLLM

SLIDE_KEYS = {"key_idea", "example_lines", "sketch", "sketch_labels", "reaction"}


def _vertex(fake, **options) -> GeminiLLM:
    return GeminiLLM(project="vividly-test", location="europe-west4", endpoint=fake.url, timeout=5, **options)


def test_vertex_request_matches_the_rest_reference(google):
    # given Gemini on Vertex AI in europe-west4, identity from ADC
    google.queue("generate", gemini_text_reply(json.dumps({"title": "Forces"}), prompt_tokens=1200,
                                               output_tokens=300))
    # when the writer asks for a structured script
    result = _vertex(google).generate_json(system="You write lessons.", prompt="Passages: ...", schema=SCHEMA)
    # then the reply is parsed and the usage comes from usageMetadata
    assert result.data == {"title": "Forces"}
    assert (result.usage.provider, result.usage.input_tokens, result.usage.output_tokens) == ("gemini", 1200, 300)
    # and the SDK called the regional Vertex AI method with a bearer token obtained through ADC
    token_calls = google.calls("token")
    assert len(token_calls) == 1
    assert "assertion" in token_calls[0]["json"]  # a signed JWT grant, no key
    sent = google.calls("generate")[0]
    assert sent["path"] == ("/v1/projects/vividly-test/locations/europe-west4/publishers/google/models/"
                            "gemini-2.5-flash:generateContent")
    assert sent["headers"]["authorization"] == f"Bearer {FAKE_ACCESS_TOKEN}"
    assert "x-goog-api-key" not in sent["headers"]
    body = sent["json"]
    assert set(body) == {"contents", "systemInstruction", "generationConfig", "safetySettings"}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Passages: ..."}]}]
    assert body["systemInstruction"]["parts"] == [{"text": "You write lessons."}]
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["temperature"] == 0.4
    scene = config["responseSchema"]["properties"]["scenes"]["items"]
    assert set(scene["properties"]) >= SLIDE_KEYS  # the writer's optional slide keys are asked for
    assert scene["properties"]["sketch"]["enum"] == ["forces", "wave", "cell", "atom", "reaction", "none"]
    assert config["responseSchema"]["required"] == ["title", "scenes", "quiz"]
    # minors: every harm category blocked from "low" up
    assert {(s["category"], s["threshold"]) for s in body["safetySettings"]} == {
        (c, "BLOCK_LOW_AND_ABOVE") for c in HARM_CATEGORIES}


def test_api_key_mode_is_the_gemini_api_for_developers(google):
    google.queue("generate", gemini_text_reply('{"ok": true}'))
    result = GeminiLLM(api_key="AIzaSyDEVELOPERKEY0123456789abcdefghijk", endpoint=google.url,
                       model="gemini-2.5-flash").generate_json(system="s", prompt="p", schema={"type": "OBJECT"})
    assert result.data == {"ok": True}
    sent = google.calls("generate")[0]
    assert sent["path"] == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert sent["headers"]["x-goog-api-key"] == "AIzaSyDEVELOPERKEY0123456789abcdefghijk"
    assert "authorization" not in sent["headers"]
    assert google.calls("token") == []  # no ADC in key mode


def test_thinking_tokens_are_billed_as_output(google):
    reply = gemini_text_reply('{"a": 1}', prompt_tokens=100, output_tokens=50)
    reply["usageMetadata"]["thoughtsTokenCount"] = 400
    google.queue("generate", reply)
    assert _vertex(google).generate_json(system="s", prompt="p", schema={"type": "OBJECT"}).usage.output_tokens == 450


@pytest.mark.parametrize(("case", "reply", "error", "words"), [
    ("prompt_blocked", {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 9}},
     ProviderFatal, "prompt blocked (SAFETY)"),
    ("output_blocked", {"candidates": [{"finishReason": "SAFETY", "safetyRatings": [
        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "MEDIUM", "blocked": True}]}]},
     ProviderFatal, "output blocked (SAFETY)"),
    ("rate_limited", rate_limited(7), ProviderRetryable, "429"),
    ("server_error", server_error(503), ProviderRetryable, "503"),
    ("bad_request", Reply(status=400, body={"error": {"code": 400, "message": "Invalid schema",
                                                      "status": "INVALID_ARGUMENT"}}), ProviderFatal, "400"),
    ("not_json_text", gemini_text_reply("Sure! Here is your lesson: ..."), ProviderFatal, "malformed JSON"),
    ("json_list", gemini_text_reply("[1, 2]"), ProviderFatal, "not an object"),
    ("timeout", Reply(delay=2.5, body=gemini_text_reply("{}")), ProviderRetryable, "Gemini"),
])
def test_failures_map_to_retryable_or_fatal(google, case, reply, error, words):
    google.queue("generate", reply)
    provider = GeminiLLM(project="vividly-test", location="europe-west4", endpoint=google.url, timeout=1)
    with pytest.raises(error) as caught:
        provider.generate_json(system="s", prompt="p", schema={"type": "OBJECT"})
    assert words in str(caught.value)
    assert FAKE_ACCESS_TOKEN not in str(caught.value)


def test_no_credential_reaches_the_logs(google, caplog):
    # given a failing call logged the way the pipeline logs provider errors
    google.queue("generate", server_error(500))
    with caplog.at_level(logging.WARNING), pytest.raises(ProviderRetryable) as caught:
        _vertex(google).generate_json(system="s", prompt="p", schema={"type": "OBJECT"})
    logging.getLogger("vividly.providers").warning("provider failed: %s (auth Bearer %s)", caught.value,
                                                   FAKE_ACCESS_TOKEN)
    # then the console handler's filter chain strips the token (Cloud Logging and Sentry read the same)

    record = caplog.records[-1]
    RedactURLSecretsFilter().filter(record)
    assert FAKE_ACCESS_TOKEN not in record.getMessage()
    assert "<credential>" in record.getMessage()
