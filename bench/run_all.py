"""Run every benchmark one after another and print their figures (`make bench`).

Benchmarks that need their own scratch database get one (`bench_<name>`, Redis DB 14) so they never
touch development data; the search and ingest figures read the development index, so run
`make run` (or `manage.py ingest --book all`) first. `--full` (`make bench FULL=1`) adds the full
three-book re-ingest, reported with the retrieval figures of the index it built.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = {"DJANGO_SETTINGS_MODULE": "vividly.settings.test", "VIVIDLY_TEST_REDIS_DB": "14"}
BENCHES = [
    ("lesson_e2e", SCRATCH),
    ("media_compose", {}),
    ("student_dashboard", SCRATCH),
    ("page_cpu", SCRATCH),
    ("teacher_pages", SCRATCH),
    ("flags_evaluation", SCRATCH),
    ("accounts_security", SCRATCH),
    ("privacy", SCRATCH),
    ("ops_observability", {}),
    ("search_eval", {}),
    ("section_eval", {}),
    ("search_latency", {}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true",
                        help="also time a forced full ingest, with its retrieval figures (a few minutes)")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args()
    benches = [*BENCHES, ("ingest_full", {})] if args.full else BENCHES
    failed = []
    for name, extra in benches:
        if args.only and name not in args.only:
            continue
        env = {**os.environ, **extra, "HF_HUB_OFFLINE": "1"}
        if extra:
            env["VIVIDLY_TEST_DB"] = f"bench_{name}"
        print(f"\n=== {name} ===", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}.py")], cwd=ROOT, env=env,  # noqa: S603 - runs our own benchmark scripts
                                check=False)
        print(f"--- {name}: exit {result.returncode} in {time.monotonic() - started:.0f} s", flush=True)
        if result.returncode:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
