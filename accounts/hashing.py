"""A bound on concurrent password hashing per process, so a sign-in storm queues instead of starving pages.

bcrypt at 12 rounds costs ~0.25 s of one core, and the `bcrypt` package releases the GIL, so a
gunicorn process with 4 threads could run four hashes at once and take every core of a small host
from the page requests. `hashing_slot()` lets at most `PASSWORD_HASH_CONCURRENCY` hashes run at once
in a process (default 1: gunicorn's 3 processes hash at most 3 at a time); the rest wait their turn.
A waiter gives up after `PASSWORD_HASH_WAIT_SECONDS` and hashes anyway, so a wedged slot can never
lock people out (the bound is a brake, not a gate).

Hand-written around `threading.BoundedSemaphore` (stdlib): a counting semaphore is all it takes, and
the in-flight/peak counters are what tests and metrics read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

logger = logging.getLogger(__name__)


class HashingSlots:
    """A counting semaphore with in-flight, waiting and peak counters (read by tests and metrics)."""

    def __init__(self, size: int, wait_seconds: float) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self._semaphore = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.waiting = 0
        self.peak = 0
        self.peak_waiting = 0
        self.overflows = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            self.waiting += 1
            self.peak_waiting = max(self.peak_waiting, self.waiting)
        acquired = self._semaphore.acquire(timeout=self.wait_seconds)
        with self._lock:
            self.waiting -= 1
            if acquired:
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            else:
                self.overflows += 1
        if not acquired:
            logger.warning("password hashing: no slot within %.1f s, hashing anyway", self.wait_seconds)
        try:
            yield
        finally:
            if acquired:
                with self._lock:
                    self.in_flight -= 1
                self._semaphore.release()

    def reset_peaks(self) -> None:
        with self._lock:
            self.peak = self.in_flight
            self.peak_waiting = self.waiting
            self.overflows = 0


_slots: HashingSlots | None = None
_slots_lock = threading.Lock()


def slots() -> HashingSlots:
    """This process's slots, sized from the settings on first use."""
    global _slots  # noqa: PLW0603 - one semaphore per process, created once
    if _slots is None:
        with _slots_lock:
            if _slots is None:
                _slots = HashingSlots(max(1, settings.PASSWORD_HASH_CONCURRENCY),
                                      settings.PASSWORD_HASH_WAIT_SECONDS)
    return _slots


def hashing_slot():
    """Context manager: hold one of this process's hashing slots while hashing a password."""
    return slots().slot()
