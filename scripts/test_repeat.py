"""`make test-repeat`: the worker, isolation and browser tests, N runs in a row under CPU load.

Proves the suite does not depend on a fast or idle machine: two busy loops (one per core here) run
alongside every pytest session. Each run is its own pytest session (fresh worker, fresh fixtures).
Prints one line per run and the failing test ids; exits 1 if any run failed.

    python scripts/test_repeat.py [--runs 5] [--busy 2] [-- extra pytest args]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SELECTION = ["-m", "(worker or browser or isolation) and not drills and not slow"]


def _failures(junit: Path) -> tuple[int, list[str]]:
    suite = ET.parse(junit).getroot()  # noqa: S314 - our own pytest's report
    cases = list(suite.iter("testcase"))
    failed = [f"{c.get('classname')}::{c.get('name')}" for c in cases
              if any(child.tag in ("failure", "error") for child in c)]
    return len(cases), failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=2, help="busy-loop processes running alongside")
    args, extra = parser.parse_known_args()
    out = ROOT / ".var" / "test-repeat"
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    from tests.support.processes import die_with_parent  # noqa: PLC0415 - the script sets Django up first

    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"], preexec_fn=die_with_parent)  # noqa: PLW1509
            for _ in range(args.busy)]
    results = []
    try:
        for run in range(1, args.runs + 1):
            junit = out / f"run{run}.xml"
            started = time.monotonic()
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *SELECTION, f"--junitxml={junit}",
                       *[a for a in extra if a != "--"]]
            code = subprocess.call(command, cwd=ROOT, preexec_fn=die_with_parent)  # noqa: S603 - our own pytest, fixed arguments
            total, failed = _failures(junit) if junit.exists() else (0, [f"pytest exited {code}"])
            results.append((run, total, failed, time.monotonic() - started))
            print(f"run {run}/{args.runs}: {total - len(failed)}/{total} passed in "
                  f"{time.monotonic() - started:.0f} s", flush=True)
    finally:
        for proc in busy:
            proc.kill()
    print(f"\nworker, isolation and browser tests, {args.runs} runs with {args.busy} busy loops alongside:")
    for run, total, failed, seconds in results:
        print(f"  run {run}: {total - len(failed)}/{total} passed, {seconds:.0f} s"
              + "".join(f"\n      FAILED {name}" for name in failed))
    bad = sum(1 for _, total, failed, _ in results if failed or not total)
    print(f"{args.runs - bad} of {args.runs} runs green")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
