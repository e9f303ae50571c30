"""Browser sessions read from Redis, written through to PostgreSQL (settings SESSION_ENGINE = this module).

Django's `cached_db` engine saves the session query every page pays. This store adds two things
(hand-written because the engine has no options for them): a Redis outage degrades to the database
instead of failing pages (as the flags and catalogue caches do), and a cache entry lives at most
SESSION_CACHE_SECONDS, which bounds how long an entry that could not be deleted while Redis was
down (a sign-out during an outage) can outlive its database row once Redis is back.

`end_sessions` is how sessions are revoked: deleting rows alone would leave a revoked session
working from the cache, so it deletes the cache entries too (failing, and so rolling back the
caller's transaction, if Redis cannot be reached), and again after commit, because a request racing
the revocation may have cached the row again before the delete committed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)


def _cache_key_for(session_key: str) -> str:
    """The cache key names a hash of the session key: cache keys reach logs and tracing spans
    (Sentry's Redis spans), and a session key there would be a usable cookie."""
    return SessionStore.cache_key_prefix + hashlib.sha256(session_key.encode()).hexdigest()


class SessionStore(CachedDBStore):
    @property
    def cache_key(self):
        return _cache_key_for(self._get_or_create_session_key())

    def _cache_seconds(self, expiry=None) -> int:
        return min(self.get_expiry_age(expiry=expiry), settings.SESSION_CACHE_SECONDS)

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # Redis down (or an invalid key): the database answers
            logger.warning("sessions: cache unavailable, reading the database", exc_info=True)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_seconds(expiry=row.expire_date))
        except Exception:
            logger.warning("sessions: cache write failed", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and _cache_key_for(session_key) in self._cache:
                return True
        except Exception:
            logger.warning("sessions: cache unavailable, reading the database", exc_info=True)
        return super(CachedDBStore, self).exists(session_key)

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self._cache_seconds())
        except Exception:
            logger.warning("sessions: cache write failed", exc_info=True)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        super(CachedDBStore, self).delete(session_key)  # the row (cached_db's delete names the raw key)
        if not session_key:
            return
        try:
            self._cache.delete(_cache_key_for(session_key))
        except Exception:  # the row is gone; the entry expires within SESSION_CACHE_SECONDS
            logger.exception("sessions: could not delete a cached session")


def _forget_cached(keys: list[str]) -> None:
    if keys and __name__ == settings.SESSION_ENGINE:  # another engine configured: nothing of ours cached
        caches[settings.SESSION_CACHE_ALIAS].delete_many([_cache_key_for(key) for key in keys])


def end_sessions(session_keys: Iterable[str]) -> tuple[int, dict[str, int]]:
    """Delete these sessions everywhere they are kept; returns what `QuerySet.delete()` returns."""
    keys = list(session_keys)
    deleted = Session.objects.filter(session_key__in=keys).delete()
    _forget_cached(keys)
    transaction.on_commit(lambda: _forget_cached(keys), robust=True)
    return deleted
