"""The one way to follow a user-supplied `next`: only to this site, never to another host or scheme."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_redirect(request, candidate: str | None, fallback: str) -> HttpResponseRedirect:
    """Redirect to `candidate` if it stays on this host (`//evil`, `https://evil`, `/\\evil` do not),
    else to `fallback` (a URL name or path). The candidate is never reversed as a URL name."""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(candidate)
    return HttpResponseRedirect(resolve_url(fallback))
