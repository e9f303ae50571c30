"""What every Google provider shares: identity (ADC), region, endpoints, error mapping, residency.

- Identity: Application Default Credentials (`google.auth.default()`): Cloud Run's service account in
  production, `gcloud auth application-default login` on a laptop. An API key is used only when one
  is given explicitly (developers without a GCP project; Gemini API, never Vertex AI).
- Region: each provider's `location` (settings GOOGLE_CLOUD_LOCATION, per-provider overrides).
- Endpoints: `endpoint` overrides the SDK's base URL (tests aim the SDKs at a local fake).
- Residency: `guard()` refuses any Google call while the current district keeps AI data local
  (`vividly.providers.residency`), before a byte leaves the process.
- Errors: SDK exceptions become ProviderRetryable (429, 408, 5xx, timeouts, connection errors) or
  ProviderFatal (other 4xx, malformed answers). Messages never carry credentials: only the status
  and Google's own message, cut short.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from .base import ProviderFatal, ProviderRetryable
from .residency import guard  # noqa: F401  (re-exported: every Google provider calls it)

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
RETRYABLE_CODES = {408, 425, 429, 500, 502, 503, 504}
_lock = threading.Lock()
_adc: dict[str, Any] = {}


def credentials():
    """ADC credentials (cached per process; the SDKs refresh the token as it expires)."""
    import google.auth  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured
    import google.auth.exceptions  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    with _lock:
        if "credentials" not in _adc:
            try:
                found, project = google.auth.default(scopes=[CLOUD_PLATFORM])
            except google.auth.exceptions.GoogleAuthError as exc:
                raise ProviderFatal(f"Google credentials unavailable (ADC): {exc.__class__.__name__}") from exc
            _adc["credentials"], _adc["project"] = found, project or ""
        return _adc["credentials"]


def default_project() -> str:
    """The project ADC belongs to ("" when unknown)."""
    credentials()
    return _adc.get("project", "")


def reset() -> None:
    """Forget cached credentials and SDK clients (tests switch ADC files)."""
    from . import google_tts  # noqa: PLC0415 - google_tts imports this module

    with _lock:
        _adc.clear()
    genai_client.cache_clear()
    google_tts.client.cache_clear()


@cache  # one SDK client per configuration (they are thread-safe and reuse connections)
def genai_client(*, project: str = "", location: str = "", api_key: str = "", endpoint: str = "",
                 timeout: float = 30.0, attempts: int = 1):
    """A `google.genai.Client`: Vertex AI with ADC by default, the Gemini API with an explicit key.

    `attempts` > 1 lets the SDK retry 408/429/5xx itself with exponential backoff (it honours none of
    our breakers, so the callers keep it at 1 where a breaker or a Celery retry decides)."""
    from google import genai  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured
    from google.genai import types  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    # the API version is pinned, not left to the SDK's default (it moved between releases): Vertex AI's
    # GA surface; the Gemini API's v1beta (structured output and safety settings live there)
    options: dict[str, Any] = {"timeout": int(timeout * 1000), "api_version": "v1beta" if api_key else "v1"}
    if endpoint:
        options["base_url"] = endpoint
    if attempts > 1:
        options["retry_options"] = types.HttpRetryOptions(attempts=attempts, initial_delay=0.5, max_delay=8.0,
                                                          http_status_codes=sorted(RETRYABLE_CODES))
    http_options = types.HttpOptions(**options)
    if api_key:  # explicit developer option: the Gemini API (no region, no Vertex AI)
        return genai.Client(api_key=api_key, http_options=http_options)
    return genai.Client(vertexai=True, project=project or default_project(), location=location or "us-central1",
                        credentials=credentials(), http_options=http_options)


def map_genai_error(exc: Exception, what: str) -> Exception:
    """google-genai / transport exceptions → ProviderRetryable or ProviderFatal."""
    import httpx  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured
    from google.genai import errors  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    if isinstance(exc, errors.APIError):
        message = f"{what}: HTTP {exc.code} {exc.status or ''} {str(exc.message or '')[:200]}".strip()
        return ProviderRetryable(message) if exc.code in RETRYABLE_CODES else ProviderFatal(message)
    if isinstance(exc, _transport_errors(httpx)):
        return ProviderRetryable(f"{what}: {exc.__class__.__name__}")
    if isinstance(exc, ValueError | KeyError | TypeError):  # the SDK could not parse the answer
        return ProviderFatal(f"{what}: malformed response ({exc.__class__.__name__})")
    return exc


def _transport_errors(httpx) -> tuple[type, ...]:
    """Timeouts and connection errors of the HTTP clients google-genai may use (httpx; httpx2 in 3.x)."""
    errors: tuple[type, ...] = (httpx.TimeoutException, httpx.TransportError)
    try:
        import httpx2  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured
    except ImportError:
        return errors
    return (*errors, httpx2.TimeoutException, httpx2.TransportError)


def map_api_core_error(exc: Exception, what: str) -> Exception:
    """google-api-core / requests exceptions (Cloud client libraries, REST transport) → ours."""
    import requests  # noqa: PLC0415, TID251 - its exception classes only: the Cloud clients' REST transport raises them
    from google.api_core import exceptions as core  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured
    from google.protobuf import json_format  # noqa: PLC0415 - the Google SDKs load only when a Google provider is configured

    if isinstance(exc, core.RetryError):
        return ProviderRetryable(f"{what}: retries exhausted")
    if isinstance(exc, core.GoogleAPICallError):
        code = getattr(exc, "code", None) or 0
        message = f"{what}: HTTP {code} {str(exc.message or '')[:200]}".strip()
        return ProviderRetryable(message) if code in RETRYABLE_CODES else ProviderFatal(message)
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return ProviderRetryable(f"{what}: {exc.__class__.__name__}")
    if isinstance(exc, json_format.Error | ValueError | KeyError | TypeError):  # unparseable answer
        return ProviderFatal(f"{what}: malformed response ({exc.__class__.__name__})")
    return exc
