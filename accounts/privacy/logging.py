"""Log scrubbing: no student name or e-mail address in any log line.

`PIIScrubFilter` (installed on the console handler by settings) formats the record, replaces any
User argument with `user:<id>`, masks e-mail addresses and the names registered for this request
or task (`add_pii_terms`, called by `record_student_access` and the Sentry user context).
"""

from __future__ import annotations

import contextvars
import logging
import re

from django.contrib.auth import get_user_model

from vividly.observability import sentry

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
REDACTED = "[Filtered]"  # same mark as the Sentry scrubber

_terms: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("vividly_privacy_terms", default=())


def add_pii_terms(terms) -> None:
    """Register names/emails to scrub for the rest of this request/task (also for Sentry)."""
    clean = {t for t in terms if t and len(t) > 2}
    if not clean:
        return
    merged = tuple(sorted(set(_terms.get()) | clean, key=len, reverse=True))
    _terms.set(merged)
    # Sentry's own scrubber reads its context variable (vividly/observability/sentry.py)
    sentry._current_pii.set(tuple(sorted(set(sentry._current_pii.get()) | clean, key=len, reverse=True)))


def reset_pii_terms() -> None:
    _terms.set(())


def current_terms() -> tuple[str, ...]:
    terms = set(_terms.get()) | set(sentry._current_pii.get())
    return tuple(sorted(terms, key=len, reverse=True))


def scrub_text(text: str, terms: tuple[str, ...] = ()) -> str:
    text = EMAIL_RE.sub(REDACTED, text)
    for term in terms:
        if term and term in text:
            text = text.replace(term, REDACTED)
    return text


def _pseudonymise(value):
    if isinstance(value, get_user_model()):
        return f"user:{value.pk}"
    return value


class PIIScrubFilter(logging.Filter):
    """Rewrites each record's message (and string extras) without e-mails or registered names."""

    EXTRA_SKIP = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.args:
                args = record.args
                if isinstance(args, dict):
                    args = {k: _pseudonymise(v) for k, v in args.items()}
                else:
                    args = tuple(_pseudonymise(a) for a in args)
                record.msg, record.args = str(record.msg) % args, ()
            terms = current_terms()
            record.msg = scrub_text(str(record.msg), terms)
            for key, value in list(vars(record).items()):
                if key not in self.EXTRA_SKIP and isinstance(value, str):
                    setattr(record, key, scrub_text(value, terms))
        except Exception:  # noqa: BLE001 - a logging filter must never break logging
            record.msg, record.args = scrub_text(str(record.msg)), ()
        return True
