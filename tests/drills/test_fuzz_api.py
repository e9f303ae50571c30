"""Drill 1: schemathesis against the live OpenAPI schema of a real gunicorn, as three roles."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from ._support import NIGHTLY, ROOT, free_port, jwt_for, record, server_env, start_gunicorn, stop

pytestmark = [pytest.mark.drills, pytest.mark.django_db(transaction=True)]
CHECKS = "not_a_server_error,response_schema_conformance,ignored_auth"
MAX_EXAMPLES = 100 if NIGHTLY else 25
LOGOUT = "/api/v1/auth/logout/"


def _fuzz(base: str, token: str, report_dir: Path, *extra: str) -> dict:
    report_dir.mkdir(parents=True, exist_ok=True)
    junit = report_dir / "junit.xml"
    out = subprocess.run(  # noqa: S603 - schemathesis from our venv against our own server
        [str(ROOT / ".venv" / "bin" / "st"), "run", f"{base}/api/schema/", "--url", base,
         "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "-n", str(MAX_EXAMPLES),
         "--phases", "examples,coverage,fuzzing", "--seed", "11", "--workers", "2",
         "--generation-database", "none", "--request-timeout", "30", "--no-color",
         "--report", "junit", "--report-junit-path", str(junit), "--suppress-health-check", "all", *extra],
        capture_output=True, text=True, timeout=1800, cwd=ROOT, check=False)
    (report_dir / "stdout.txt").write_text(out.stdout + out.stderr)
    text = out.stdout
    cases = re.search(r"(\d+) generated", text)
    ops = re.search(r"(\d+) selected", text)
    failures = re.findall(r"^_+ (\w+ \S+) _+$", text, re.M)
    return {"rc": out.returncode, "operations": int(ops.group(1)) if ops else None,
            "cases": int(cases.group(1)) if cases else None, "failures": failures, "stdout": text}


def test_every_operation_as_three_roles_has_no_failures(tenant_a, tenant_b, mini_corpus, tmp_path):
    call_command("seed", force=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # schemathesis reads the schema as each role, students included (staff-only by default)
    server = start_gunicorn(port, tmp_path / "gunicorn.log", workers=2, threads=4,
                            env=server_env(API_DOCS_PUBLIC="true"))
    results = {}
    try:
        for role in ("student", "teacher", "district_admin"):
            # logout (`all: true`) revokes every token of the user: fuzz it last, on its own
            results[role] = _fuzz(base, jwt_for(getattr(tenant_a, role)), ROOT / ".var" / "drills" / "fuzz" / role,
                                  "--exclude-path", LOGOUT)
        for role in ("student", "teacher", "district_admin"):
            results[f"{role} (logout)"] = _fuzz(base, jwt_for(getattr(tenant_a, role)),
                                                ROOT / ".var" / "drills" / "fuzz" / f"{role}-logout",
                                                "--include-path", LOGOUT)
    finally:
        stop(server)
    ops = sum(r["operations"] or 0 for name, r in results.items() if name.startswith("student"))
    auth_only = {role: re.search(r"(\d+) operations? returned only 401/403", r["stdout"]) for role, r in results.items()}
    record("fuzz", "operations answering only 401/403 (per role)",
           ", ".join(f"{role} {m.group(1) if m else 0}" for role, m in auth_only.items() if "logout" not in role))
    cases = sum(r["cases"] or 0 for r in results.values())
    failed = {role: r["failures"] for role, r in results.items() if r["rc"] != 0}
    record("fuzz", "operations x examples x roles", f"{ops} ops x <={MAX_EXAMPLES} x 3 roles = {cases} cases")
    record("fuzz", "failures (5xx, schema, ignored auth)", sum(len(f) or 1 for f in failed.values()), "0")
    (ROOT / ".var" / "drills" / "fuzz" / "summary.json").write_text(json.dumps(
        {role: {k: v for k, v in r.items() if k != "stdout"} for role, r in results.items()}, indent=2))
    assert not failed, {role: results[role]["stdout"][-6000:] for role in failed}
