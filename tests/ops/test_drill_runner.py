"""`make drills` re-runs fault drills that live beside the features (drills/run.py REUSED): each must
still name a test, or the drill table would report a drill that never ran."""

from __future__ import annotations

import subprocess
import sys

from drills.run import REUSED
from tests.support.processes import ROOT


def test_every_reused_fault_drill_names_an_existing_test():
    nodes = sorted(set(REUSED.values()))
    result = subprocess.run(  # noqa: S603 - this interpreter collecting our own tests
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", *nodes],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    collected = result.stdout.splitlines()
    for node in nodes:
        assert any(line.startswith(node) for line in collected), f"{node} collects nothing"
