import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _import_production(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(  # noqa: S603 - this interpreter importing our settings
        [sys.executable, "-c", "import vividly.settings.production"],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False,
    )


GOOD = {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://u@db/v", "REDIS_URL": "redis://r:6379/0"}


@pytest.mark.parametrize(
    ("env_case", "message"),
    [
        ({**GOOD, "DEBUG": "true"}, "DEBUG must be off"),
        ({**GOOD, "SECRET_KEY": "django-insecure-dev-only-change-me"}, "real SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60}, "DATABASE_URL and REDIS_URL"),
    ],
)
def test_production_settings_refuse_unsafe_configuration(env_case, message):
    result = _import_production(**env_case)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_accept_safe_configuration():
    result = _import_production(**GOOD)
    assert result.returncode == 0, result.stderr
