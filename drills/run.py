"""`make drills`: run every reliability drill, then print ONE table of figures.

Drills live in tests/drills/ (marker `drills`, kept out of `make test`); fault drills the feature
helpers already wrote (worker kill, provider retries/breakers, disk full) and the lead's isolation
sweep are re-run here and their outcome and time recorded. DRILLS_NIGHTLY=1: more examples/users.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / ".var" / "drills"
FIGURES = Path(os.environ.get("DRILLS_FIGURES", VAR / "figures.json"))

REUSED = {
    "worker killed (SIGKILL) mid-generation, restarted: 1 lesson, resumed once":
        "content/tests/test_worker.py::test_killed_worker_job_is_resumed_and_the_lesson_arrives_once",
    "duplicate submits share one job / one lesson":
        "content/tests/test_worker.py::test_concurrent_identical_requests_share_one_job",
    "Gemini 5xx: retried with backoff, then local fallback":
        "content/tests/test_gemini.py::test_5xx_is_retried_with_backoff_then_falls_back_on_the_last_attempt",
    "Gemini breaker opens, later lessons fall back without calling it":
        "content/tests/test_gemini.py::test_breaker_opens_and_later_lessons_fall_back_without_calling_gemini",
    "TTS breaker open is seen by a fresh process (shared in Redis)":
        "tests/google/test_media.py::test_tts_breaker_opens_after_fail_max_is_seen_by_other_processes_and_spares_google",
    "breaker half-opens after reset_timeout and closes on success":
        "tests/google/test_media.py::test_breaker_half_opens_after_reset_timeout_and_closes_on_success",
    "disk full (tmpfs ENOSPC) during compose: clear error, no partial files":
        "content/tests/media/test_compose.py::test_full_disk_is_a_compose_error_without_partial_files",
    "tenant-isolation sweep (generated from the URL conf)": "tests/isolation/",
}


def _pytest(args: list[str], junit: Path) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"--junitxml={junit}",  # noqa: S603 - this interpreter running pytest on our drills
                            *args], cwd=ROOT)


def _reused() -> int:
    """Run the fault drills that live beside the features; the number that failed or ran nothing."""
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    section = data.setdefault("reused fault drills", {})
    bad = 0
    for label, node in REUSED.items():
        junit = VAR / "junit-reused.xml"
        _pytest([node], junit)
        suite = ET.parse(junit).getroot()  # noqa: S314 - the junit XML pytest just wrote, not external input
        cases = list(suite.iter("testcase"))
        failed = sum(1 for c in cases for child in c if child.tag in ("failure", "error"))
        skipped = sum(1 for c in cases for child in c if child.tag == "skipped")
        seconds = sum(float(c.get("time", 0)) for c in cases)
        # a renamed or moved test collects nothing: that is a failed drill, never a quiet "skipped"
        verdict = "FAIL" if failed or skipped == len(cases) else "pass"
        bad += verdict == "FAIL"
        section[label] = {"value": f"{verdict} ({len(cases)} tests, {seconds:.1f} s)", "target": "pass"}
    FIGURES.write_text(json.dumps(data, indent=2, sort_keys=True))
    return bad


def table() -> str:
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    rows = [(drill, name, str(fig["value"]), fig.get("target", "")) for drill in data
            for name, fig in data[drill].items()]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(("drill", "figure", "value",
                                                                              "target"))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format("drill", "figure", "value", "target"), line.format(*("-" * w for w in widths))]
    out += [line.format(*row) for row in rows]
    return "\n".join(out)


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    if "--table" not in sys.argv:
        FIGURES.unlink(missing_ok=True)
        rc = _pytest(["-m", "drills", "tests/drills"], VAR / "junit-drills.xml")
        rc = _reused() or rc
    else:
        rc = 0
    sys.stdout.write("\nVividly reliability drills" + (" (nightly)" if os.environ.get("DRILLS_NIGHTLY") else "")
                     + "\n" + table() + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
