"""Shared catalogue data (subjects, a book's chapters, a chapter's sections) in the Redis cache.

Every student sees the same catalogue, so the selectors' results are cached for everyone under a
version token; any catalogue write (a Book, Chapter or Topic saved or deleted, in the admin or by
an ingest) and the end of every ingest run or index switch bump the version after commit, so the
next page reads fresh data in every process. Ingestion's bulk `update()`s send no signals, which
is why the run's own save counts too. The version is random (a flushed Redis never resurrects old
data); the TTL only bounds a bump lost while Redis was down. Redis down: read the database.

Only shared data lives here; nothing per user (interests, progress, lessons) is ever cached.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from content.selectors import student as selectors
from ingestion.models import Book, Chapter, IndexVersion, IngestionRun, Topic

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def catalogue_version() -> str:
    """The current version, for keys of anything else built from catalogue rows (Redis down: no version)."""
    try:
        return _version()
    except Exception:
        logger.warning("catalogue: cache unavailable", exc_info=True)
        return "unavailable"


def _cached(name: str, build: Callable[..., Any], *args) -> Any:
    """`build(*args)` from the cache of the current catalogue version (a miss builds and stores it)."""
    try:
        key = f"catalogue:{_version()}:{name}:" + ":".join(str(a) for a in args)
        data = cache.get(key)
    except Exception:  # Redis unreachable: the database answers
        logger.warning("catalogue: cache unavailable, reading the database", exc_info=True)
        return build(*args)
    if data is None:
        data = build(*args)  # Http404 propagates and nothing is stored
        try:
            cache.set(key, data, settings.CATALOGUE_CACHE_SECONDS)
        except Exception:
            logger.warning("catalogue: cache write failed", exc_info=True)
    return data


def catalogue_subjects() -> list[dict]:
    return _cached("subjects", selectors.catalogue_subjects)


def book_with_chapters(slug: str):
    return _cached("book", selectors.book_with_chapters, slug)


def chapter_with_sections(slug: str, number: int):
    return _cached("chapter", selectors.chapter_with_sections, slug, number)


def bump_version() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("catalogue: could not bump the cache version; entries expire within %ss",
                         settings.CATALOGUE_CACHE_SECONDS)


def invalidate(**_signal_kwargs) -> None:
    """Signal receiver: a new catalogue version once the write commits (at once in autocommit)."""
    transaction.on_commit(bump_version, robust=True)


def invalidate_after_run(instance, **kwargs) -> None:
    """An ingest run's final save (its bulk updates sent no signals); starting one changes nothing yet."""
    if instance.status != type(instance).Status.RUNNING:
        invalidate()


def connect_signals() -> None:
    """Called from ContentConfig.ready(): catalogue rows, ingest runs and index switches invalidate."""


    for model in (Book, Chapter, Topic):
        post_save.connect(invalidate, sender=model, dispatch_uid=f"catalogue-cache-save-{model.__name__}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"catalogue-cache-delete-{model.__name__}")
    post_save.connect(invalidate, sender=IndexVersion, dispatch_uid="catalogue-cache-save-IndexVersion")
    post_save.connect(invalidate_after_run, sender=IngestionRun, dispatch_uid="catalogue-cache-save-IngestionRun")
