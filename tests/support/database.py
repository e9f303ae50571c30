"""Before a TransactionTestCase flush: no other connection may still be inside a transaction.

The flush is one `TRUNCATE … CASCADE` over every table; it needs an ACCESS EXCLUSIVE lock on each,
so any other backend in a transaction (a request thread, a test server, a worker task) either makes
it wait or, when that backend then wants a table the flush already holds, deadlocks it. We wait for
them to finish; one still open after the deadline is a bug in the test that left it: we report it,
end it (so the next test starts clean) and fail.
"""

from __future__ import annotations

import time

from django.db import connection

_OPEN_TRANSACTIONS = """
    SELECT pid, state, backend_type, application_name, now() - xact_start AS age, left(query, 300)
    FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
"""


def open_transactions() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is cached
        cursor.execute(_OPEN_TRANSACTIONS)
        return cursor.fetchall()


def wait_until_no_open_transactions(timeout: float = 120) -> None:
    """Poll until no other backend of the test database is in a transaction; fail loudly if one stays."""
    deadline = time.monotonic() + timeout
    while (rows := open_transactions()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not rows:
        return
    with connection.cursor() as cursor:
        for row in rows:
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [row[0]])  # waits until gone
    raise AssertionError(f"connections still in a transaction {timeout:.0f} s after the test "
                         f"(terminated so the flush can run): {rows}")
