"""Shared drill plumbing: real server/worker subprocesses on the test DB and the figures file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from rest_framework_simplejwt.tokens import RefreshToken

from tests.support.processes import (  # noqa: F401 - the drills import these from here
    free_port,
    start_gunicorn,
    start_worker,
    stop,
    subprocess_env,
    wait_http,
)

ROOT = Path(__file__).resolve().parents[2]
FIGURES = Path(os.environ.get("DRILLS_FIGURES", ROOT / ".var" / "drills" / "figures.json"))
NIGHTLY = os.environ.get("DRILLS_NIGHTLY") == "1"


def record(drill: str, figure: str, value, target: str = "") -> None:
    """Append one figure to the figures file that `drills/report.py` prints as a table."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    data.setdefault(drill, {})[figure] = {"value": value, "target": target, "at": time.time()}
    FIGURES.write_text(json.dumps(data, indent=2, sort_keys=True))


def server_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses on this run's test DB / Redis DB, with API limits raised."""
    return subprocess_env(**{"RATE_LIMIT_API_MINUTE": "100000/m", "RATE_LIMIT_API_HOUR": "1000000/h",
                             "RATE_LIMIT_AUTH_IP": "100000/15m", **extra})


def jwt_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)
