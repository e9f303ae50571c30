"""Outbound HTTP that no SDK serves (the OpenStax download): explicit timeouts, no redirects,
errors mapped for retry logic. Modeled on Saleor's core/http_client.py.

Google calls do not come here: they go through Google's own SDKs (vividly/providers, issue 19).
"""

from __future__ import annotations

import httpx

from vividly.providers.base import ProviderFatal, ProviderRetryable

DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=30.0, write=10.0, pool=3.0)
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


def client(timeout: httpx.Timeout | float | None = None) -> httpx.Client:
    return httpx.Client(timeout=timeout or DEFAULT_TIMEOUT, follow_redirects=False)


def request(method: str, url: str, *, timeout: httpx.Timeout | float | None = None, **kwargs) -> httpx.Response:
    """Send one request; raise ProviderRetryable for transient failures, ProviderFatal for 4xx."""
    try:
        with client(timeout) as http:
            response = http.request(method, url, **kwargs)
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise ProviderRetryable(f"{method} {url}: {exc.__class__.__name__}") from exc
    if response.status_code in RETRYABLE_STATUS:
        raise ProviderRetryable(f"{method} {url}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise ProviderFatal(f"{method} {url}: HTTP {response.status_code}: {response.text[:300]}")
    return response
