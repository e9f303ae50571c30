"""Sign-in storms are bounded: concurrent bcrypt hashing per process never exceeds the slots (issue 17)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.test import Client

from accounts.hashing import HashingSlots, slots
from accounts.models import User

PASSWORD = "Lantern-Harbor-88"
THREADS = 6


def _run_together(target, count: int) -> list:
    """Start `count` threads at one barrier; returns their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        finally:

            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_bcrypt_checks_queue_for_the_slots():
    encoded = make_password(PASSWORD, hasher="bcrypt_sha256")
    assert encoded.startswith("bcrypt_sha256$$2b$12$")
    bound = slots()
    bound.reset_peaks()
    results = _run_together(lambda i: check_password(PASSWORD if i % 2 == 0 else "wrong-password", encoded),
                            THREADS)
    assert results == [i % 2 == 0 for i in range(THREADS)]  # right and wrong passwords still answered right
    assert bound.size == settings.PASSWORD_HASH_CONCURRENCY == 1
    assert bound.peak == bound.size  # never more hashes at once than slots ...
    assert bound.peak_waiting >= 2  # ... while the others really waited their turn
    assert bound.overflows == 0
    assert bound.in_flight == bound.waiting == 0  # every slot given back


@pytest.mark.django_db(transaction=True)
def test_a_class_signing_in_at_once_hashes_one_at_a_time(tenant_a):
    # given 6 students of one class with bcrypt-12 passwords
    encoded = make_password(PASSWORD, hasher="bcrypt_sha256")
    students = [User.objects.create(email=f"storm{i}@student.school-a.edu", role="student", school=tenant_a.school,
                                    district=tenant_a.district, password=encoded) for i in range(THREADS)]
    bound = slots()
    bound.reset_peaks()

    # when they all submit the sign-in form at the same moment (one thread and client each, full view stack)
    def sign_in(i: int) -> int:
        return Client().post(settings.LOGIN_URL, {"username": students[i].email, "password": PASSWORD}).status_code

    codes = _run_together(sign_in, THREADS)
    # then everyone got in, and the hashes ran one at a time
    assert codes == [302] * THREADS
    assert bound.peak == 1
    assert bound.peak_waiting >= 2
    assert bound.overflows == 0


def test_a_slot_that_never_frees_does_not_lock_people_out():

    stuck = HashingSlots(1, wait_seconds=0.05)
    # the first slot is held for the whole block, as by a wedged thread; a second hash waits 50 ms, then goes ahead
    with stuck.slot(), stuck.slot():
        assert stuck.in_flight == 1
    assert stuck.overflows == 1
    assert stuck.in_flight == 0


def test_sessions_last_a_school_day():
    # students sign in once in the morning, not every period (docs/accounts-security.md, "Sessions")
    assert settings.SESSION_COOKIE_AGE >= 10 * 3600
    assert settings.SESSION_REMEMBER_ME_SECONDS >= 7 * 24 * 3600
