"""Bearer tokens in URLs, and Google credentials anywhere, never reach logs or Sentry.

Invitation, password-reset, e-mail unsubscribe and privacy-export links carry their credential in the
path. Every URL parameter named in SECRET_URL_KWARGS is such a credential: `redact_text` replaces it
with `<name>` wherever a path to one of those routes appears (a log message, `repr(request)`, a Sentry
URL or breadcrumb). The patterns are generated from the URL conf, so a new token route is covered as
soon as its parameter uses one of these names; `tests/ops/test_token_redaction.py` makes every route
parameter either a secret here or a reviewed public one.

`RedactURLSecretsFilter` applies it to log records: on the request loggers (so even handlers added
later, like pytest's, see clean records) and on the console handler (everything written to stderr).
`TokenPageHeadersMiddleware` keeps the page's own URL out of the Referer of the requests it makes
(stylesheets, the form post: logged by Cloud Run's request log) and out of caches.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from django.conf import settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

SECRET_URL_KWARGS = frozenset({"token", "uidb64"})
# The loggers that print request paths (Django's 4xx/5xx and CSRF lines, runserver, our access log).
REQUEST_LOGGERS = ("django.request", "django.security.csrf", "django.server", "vividly.request")
# A secret segment in free text ends at a slash, quote, space, query string or fragment.
_SEGMENT = r"[^/\s'\"?#<>]+"
_GROUP = re.compile(r"\(\?P<(\w+)>")


def _strip(regex: str) -> str:
    return regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")


def _with_secret_groups_loosened(regex: str) -> str:
    """Make each secret group match one path segment in free text (and the end slash optional)."""
    out, pos = [], 0
    for match in _GROUP.finditer(regex):
        if match.group(1) not in SECRET_URL_KWARGS:
            continue
        depth, end = 0, match.start()
        for end in range(match.start(), len(regex)):  # the group's closing parenthesis
            if regex[end] == "(" and regex[end - 1:end] != "\\":
                depth += 1
            elif regex[end] == ")" and regex[end - 1:end] != "\\":
                depth -= 1
                if depth == 0:
                    break
        out += [regex[pos:match.start()], f"(?P<{match.group(1)}>{_SEGMENT})"]
        pos = end + 1
    out.append(regex[pos:])
    text = "".join(out)
    return text[:-1] + "/?" if text.endswith("/") else text


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        regex = prefix + _strip(entry.pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, regex)
        elif isinstance(entry, URLPattern):
            yield regex


@cache
def _secret_route_patterns(urlconf: str) -> tuple[re.Pattern, ...]:
    compiled = []
    for regex in _walk(get_resolver(urlconf).url_patterns):
        names = set(_GROUP.findall(regex))
        if names & SECRET_URL_KWARGS:
            compiled.append(re.compile("/" + _with_secret_groups_loosened(regex)))
    return tuple(compiled)


def _names_a_public_route(path: str) -> bool:
    """True for paths like /accounts/invitations/new/ that a token pattern also matches."""
    try:
        found = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return False
    return not (SECRET_URL_KWARGS & found.kwargs.keys())


def _replace_secrets(match: re.Match) -> str:
    text, start = match.group(0), match.start()
    if _names_a_public_route(text):
        return text
    spans = sorted((match.span(name), name) for name in match.re.groupindex
                   if name in SECRET_URL_KWARGS and match.group(name) is not None)
    out, pos = [], 0
    for (begin, end), name in spans:
        out += [text[pos:begin - start], f"<{name}>"]
        pos = end - start
    out.append(text[pos:])
    return "".join(out)


# Google credentials (issue 19): API keys, OAuth access tokens, bearer headers, service-account keys.
GOOGLE_CREDENTIALS = re.compile(
    r"AIza[0-9A-Za-z_\-]{35}"
    r"|ya29\.[0-9A-Za-z_\-.]+"
    r"|(?i:bearer)\s+[0-9A-Za-z_\-.=~+/]{16,}"
    r"|-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]*?-----END (?:RSA )?PRIVATE KEY-----")


def redact_text(text: str) -> str:
    """`text` with Google credentials replaced by `<credential>` and the secret segment of every
    token-route path replaced by `<name>`."""
    text = GOOGLE_CREDENTIALS.sub("<credential>", text)
    if "/" not in text:
        return text
    for pattern in _secret_route_patterns(settings.ROOT_URLCONF):
        text = pattern.sub(_replace_secrets, text)
    return text


def redact_path(path: str) -> str:
    """A request path safe to log (e.g. `/accounts/invitations/<token>/`)."""
    return redact_text(path)


class RedactURLSecretsFilter(logging.Filter):
    """Rewrites a record's message, string extras and `request` without URL secrets."""

    _SKIP = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            redacted = redact_text(message)
            if redacted != message:
                record.msg, record.args = redacted, ()
            for key, value in list(vars(record).items()):
                if key in self._SKIP:
                    continue
                if key == "request" and not isinstance(value, str):
                    # Django's request loggers attach the request; JSON output prints its repr.
                    record.request = redact_text(repr(value))
                elif isinstance(value, str):
                    setattr(record, key, redact_text(value))
        except Exception:  # noqa: BLE001 - a logging filter must never break logging
            record.msg, record.args = redact_text(str(record.msg)), ()
        return True


class TokenPageHeadersMiddleware:
    """Pages whose URL is a credential: `Referrer-Policy: no-referrer` and `Cache-Control: no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and SECRET_URL_KWARGS & match.kwargs.keys():
            response["Referrer-Policy"] = "no-referrer"
            response["Cache-Control"] = "no-store"
        return response
