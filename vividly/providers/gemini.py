"""Gemini (Generative Language REST API) as the `llm` provider: structured JSON output.

Calls go through `vividly.http` (timeouts, no redirects, error mapping) with the base URL from
settings, so tests fake Gemini with a local HTTP server. Safety settings block low-and-above
harm for every category (the audience is minors). The breaker is applied by the caller
(`breakers.call("gemini", ...)`) so an open circuit falls back to the local writer.
"""

from __future__ import annotations

import json
from typing import Any

from vividly import http

from .base import GeneratedText, ProviderFatal, Usage

SAFETY_SETTINGS = [
    {"category": category, "threshold": "BLOCK_LOW_AND_ABOVE"}
    for category in ("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                     "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT")
]


class GeminiLLM:
    """LLMProvider backed by `models/{model}:generateContent`."""

    name = "gemini"

    def __init__(self, *, api_key: str = "", model: str = "gemini-2.5-flash",
                 base_url: str = "https://generativelanguage.googleapis.com", timeout: float = 30.0,
                 temperature: float = 0.4) -> None:
        self.api_key = api_key
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.temperature = temperature

    def generate_json(self, *, system: str, prompt: str, schema: dict[str, Any]) -> GeneratedText:
        """One structured-output call; malformed or blocked output raises ProviderFatal."""
        if not self.api_key:
            raise ProviderFatal("GEMINI_API_KEY is not configured")
        body = {
            "systemInstruction": {"parts": [{"text": system}]},
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "generationConfig": {"responseMimeType": "application/json", "responseSchema": schema,
                                 "temperature": self.temperature},
            "safetySettings": SAFETY_SETTINGS,
        }
        response = http.request(
            "POST", f"{self.base_url}/v1beta/models/{self.model}:generateContent", json=body,
            headers={"x-goog-api-key": self.api_key}, timeout=self.timeout)
        try:
            payload = response.json()
        except ValueError as exc:
            raise ProviderFatal("Gemini returned a non-JSON response") from exc
        candidates = payload.get("candidates") or []
        if not candidates:
            reason = (payload.get("promptFeedback") or {}).get("blockReason", "no candidates")
            raise ProviderFatal(f"Gemini returned no candidates ({reason})")
        candidate = candidates[0]
        if candidate.get("finishReason") in {"SAFETY", "BLOCKLIST", "PROHIBITED_CONTENT", "RECITATION"}:
            raise ProviderFatal(f"Gemini blocked the output ({candidate['finishReason']})")
        text = "".join(part.get("text", "") for part in (candidate.get("content") or {}).get("parts", []))
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ProviderFatal("Gemini returned malformed JSON") from exc
        if not isinstance(data, dict):
            raise ProviderFatal("Gemini returned JSON that is not an object")
        meta = payload.get("usageMetadata") or {}
        usage = Usage(provider=self.name, input_tokens=int(meta.get("promptTokenCount", 0)),
                      output_tokens=int(meta.get("candidatesTokenCount", 0)))
        return GeneratedText(text=text, data=data, usage=usage)
