"""Heavy workers stay below the web server (issue 17): a niced worker carries its niceness into its
session's autogroup, and only workers that make lessons load the lesson models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from content.tasks import makes_lessons
from vividly.cpu_priority import AUTOGROUP

CARRY = "from pathlib import Path; import sys; from vividly.cpu_priority import carry_nice_into_autogroup as c; " \
        "print(c(Path(sys.argv[1])))"


def _carry(target: Path, *, nice: int, own_session: bool) -> str:
    niced = ["nice", "-n", str(nice)] if nice else []
    # outside its own session, a shell that stays (not exec) is the parent: neither leads the session
    shell = [] if own_session else ["sh", "-c", '"$@"; exit $?', "sh"]
    out = subprocess.run([*shell, *niced, sys.executable, "-c", CARRY, str(target)], capture_output=True,  # noqa: S603 - our interpreter, fixed args
                         text=True, check=True, start_new_session=own_session, cwd=Path(__file__).resolve().parents[2])
    return out.stdout.strip()


def test_a_niced_worker_in_its_own_session_gives_the_session_its_niceness(tmp_path):
    target = tmp_path / "autogroup"
    target.write_text("/autogroup-1 nice 0\n")
    assert _carry(target, nice=10, own_session=True) == "10"
    assert target.read_text() == "10"


@pytest.mark.parametrize(("nice", "own_session"), [(0, True), (10, False)])
def test_an_unniced_worker_or_someone_elses_session_is_left_alone(tmp_path, nice, own_session):
    target = tmp_path / "autogroup"
    target.write_text("/autogroup-1 nice 0\n")
    assert _carry(target, nice=nice, own_session=own_session) == "None"
    assert target.read_text() == "/autogroup-1 nice 0\n"


def test_the_kernel_takes_the_sessions_new_niceness():
    if not AUTOGROUP.exists():
        pytest.skip("this kernel has no autogroup scheduling: plain nice already ranks every process")
    script = f"{CARRY}; print(open('/proc/self/autogroup').read())"
    out = subprocess.run(["nice", "-n", "7", sys.executable, "-c", script, str(AUTOGROUP)],  # noqa: S603, S607 - nice from PATH, our interpreter
                         capture_output=True, text=True, check=True, start_new_session=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.splitlines()[0] == "7"
    assert out.splitlines()[1].endswith("nice 7")


@pytest.mark.parametrize(("queues", "expected"), [
    ({"generation": None}, True), ({"default": None, "generation": None}, True),
    ({"default": None}, False), ({"ingestion": None}, False), (None, False)])
def test_only_workers_that_make_lessons_load_the_lesson_models(queues, expected):
    assert makes_lessons(queues) is expected


def test_the_lesson_queue_is_the_one_the_settings_name(settings):
    settings.LESSON_GENERATION_QUEUE = "lessons-eu"
    assert makes_lessons({"lessons-eu": None}) is True
    assert makes_lessons({"generation": None}) is False
