"""Gemini as the `llm` provider through `google-genai`: Vertex AI with ADC, or an explicit API key.

Structured JSON output with the writer's response schema, safety settings for minors (block low
and above in every category), the region from settings. The breaker is applied by the caller
(`breakers.call("gemini", ...)`) so an open circuit falls back to the local writer; usage comes from
the response's `usage_metadata` (thinking tokens are billed as output).
"""

from __future__ import annotations

import json
from typing import Any

from . import google_cloud
from .base import GeneratedText, ProviderFatal, Usage

HARM_CATEGORIES = ("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
                   "HARM_CATEGORY_DANGEROUS_CONTENT")
BLOCKED_FINISH = {"SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "RECITATION", "IMAGE_SAFETY"}


def safety_settings() -> list:
    """The audience is minors: block low-probability harm and above in every category."""
    from google.genai import types  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    return [types.SafetySetting(category=category, threshold="BLOCK_LOW_AND_ABOVE") for category in HARM_CATEGORIES]


def usage_from(response: Any, provider: str, **extra: int) -> Usage:
    """Usage for the cost ledger from a GenerateContentResponse's usage_metadata."""
    meta = getattr(response, "usage_metadata", None)
    output = (getattr(meta, "candidates_token_count", 0) or 0) + (getattr(meta, "thoughts_token_count", 0) or 0)
    return Usage(provider=provider, input_tokens=getattr(meta, "prompt_token_count", 0) or 0, output_tokens=output,
                 **extra)


def blocked_reason(response: Any) -> str:
    """Why Gemini returned nothing usable ("" when it did)."""
    feedback = getattr(response, "prompt_feedback", None)
    if feedback is not None and getattr(feedback, "block_reason", None):
        return f"prompt blocked ({_name(feedback.block_reason)})"
    candidates = getattr(response, "candidates", None) or []
    if not candidates:
        return "no candidates"
    reason = _name(getattr(candidates[0], "finish_reason", None))
    return f"output blocked ({reason})" if reason in BLOCKED_FINISH else ""


def _name(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


class GeminiLLM:
    """LLMProvider: `models.generate_content` with a response schema."""

    name = "gemini"

    def __init__(self, *, model: str = "gemini-2.5-flash", project: str = "", location: str = "",
                 api_key: str = "", endpoint: str = "", timeout: float = 30.0,
                 temperature: float = 0.4) -> None:
        self.model = model
        self.project = project
        self.location = location
        self.api_key = api_key
        self.endpoint = endpoint
        self.timeout = timeout
        self.temperature = temperature

    def _client(self):
        return google_cloud.genai_client(project=self.project, location=self.location, api_key=self.api_key,
                                         endpoint=self.endpoint, timeout=self.timeout)

    def generate_json(self, *, system: str, prompt: str, schema: dict[str, Any]) -> GeneratedText:
        """One structured-output call; malformed or blocked output raises ProviderFatal."""
        from google.genai import types  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

        google_cloud.guard(self.name)
        config = types.GenerateContentConfig(
            system_instruction=system, temperature=self.temperature, response_mime_type="application/json",
            response_schema=schema, safety_settings=safety_settings())
        try:
            response = self._client().models.generate_content(model=self.model, contents=prompt, config=config)
        except Exception as exc:
            raise google_cloud.map_genai_error(exc, "Gemini") from exc
        reason = blocked_reason(response)
        if reason:
            raise ProviderFatal(f"Gemini returned nothing usable: {reason}")
        try:
            text = response.text or ""
            data = json.loads(text)
        except (ValueError, AttributeError) as exc:
            raise ProviderFatal("Gemini returned malformed JSON") from exc
        if not isinstance(data, dict):
            raise ProviderFatal("Gemini returned JSON that is not an object")
        return GeneratedText(text=text, data=data, usage=usage_from(response, self.name))
