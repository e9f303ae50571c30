"""`make run` installs only the runtime requirements; `make test` adds the dev tools; either order
works on a fresh clone (issue 17). Checked with `make -n` on a copy of the Makefile."""

import shutil
import subprocess
import time

import pytest

from tests.ops.test_lint_policy import ROOT

MAKE = shutil.which("make") or "/usr/bin/make"


def _plan(clone, target: str) -> list[str]:
    """The install commands `make -n target` would run (a dry run: nothing is executed)."""
    result = subprocess.run(  # noqa: S603 - a fixed argv: our Makefile, a target named in this file
        [MAKE, "-n", target], cwd=clone, capture_output=True, text=True, timeout=60, check=True)
    return [line for line in result.stdout.splitlines() if "pip install" in line or "apt-get" in line]


@pytest.fixture
def clone(tmp_path):
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _installs(lines: list[str]) -> set[str]:
    return {req for req in ("requirements.txt", "requirements-dev.txt") if any(f"-r {req}" in line for line in lines)}


def test_run_installs_only_runtime_and_test_adds_the_dev_tools(clone):
    assert _installs(_plan(clone, "run")) == {"requirements.txt"}
    assert _installs(_plan(clone, "test")) == {"requirements.txt", "requirements-dev.txt"}
    assert not any("chromium" in line for line in _plan(clone, "run"))  # the test browser comes with make test


def test_either_order_on_a_fresh_clone(clone):
    venv = clone / ".venv"
    venv.mkdir()
    (venv / ".installed-runtime").touch()  # after `make run`
    assert _installs(_plan(clone, "test")) == {"requirements-dev.txt"}
    time.sleep(0.01)
    (venv / ".installed-dev").touch()  # after `make test`
    assert _installs(_plan(clone, "run")) == set()
    assert _installs(_plan(clone, "test")) == set()
