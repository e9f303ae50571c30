"""A niced worker's lower CPU priority, made to hold against the web server.

Linux's autogroup scheduling (`kernel.sched_autogroup_enabled`, on by default in most kernels) shares
the CPU fairly between *sessions* first; `nice` only ranks processes inside one session. honcho,
systemd and our test harness start each process in its own session, so a `nice -n 10` lesson renderer
would still take as much CPU as the whole gunicorn session. A niced worker therefore gives its
session's autogroup the same niceness (proc(5), /proc/<pid>/autogroup).

Hand-written: no maintained library manages autogroups. Only when the session is the worker's own
(it leads it, or its parent does, as the `sh -c` honcho starts each Procfile line with); a worker
started inside someone's interactive session leaves that session alone.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)
AUTOGROUP = Path("/proc/self/autogroup")


def carry_nice_into_autogroup(autogroup: Path = AUTOGROUP) -> int | None:
    """Give this process's own session the process's niceness; returns it, or None if left alone."""
    niceness = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness <= 0 or not autogroup.exists() or os.getsid(0) not in (os.getpid(), os.getppid()):
        return None
    try:
        autogroup.write_text(str(niceness))
    except OSError:  # a kernel without autogroups, or a container that forbids it: plain nice still holds
        logger.info("could not lower the session's autogroup", exc_info=True)
        return None
    return niceness
