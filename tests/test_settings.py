import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


UNSET = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TRUSTED_PROXY_COUNT", "METRICS_TOKEN",
         "METRICS_ENABLED", "METRICS_ALLOWED_IPS", "API_DOCS_PUBLIC"}


def _import_production(code: str = "import vividly.settings.production", **env):
    base = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(  # noqa: S603 - this interpreter importing our settings
        [sys.executable, "-c", code],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=False,
    )


GOOD = {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://u@db/v", "REDIS_URL": "redis://r:6379/0",
        "TRUSTED_PROXY_COUNT": "1", "METRICS_TOKEN": "m" * 40}
NO_PROXY_COUNT = {k: v for k, v in GOOD.items() if k != "TRUSTED_PROXY_COUNT"}
NO_METRICS_TOKEN = {k: v for k, v in GOOD.items() if k != "METRICS_TOKEN"}


@pytest.mark.parametrize(
    ("env_case", "message"),
    [
        ({**GOOD, "DEBUG": "true"}, "DEBUG must be off"),
        ({**GOOD, "SECRET_KEY": "django-insecure-dev-only-change-me"}, "real SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60}, "DATABASE_URL and REDIS_URL"),
        # finding 5: the hop count is a decision, and /metrics never trusts an address in production
        (NO_PROXY_COUNT, "Set TRUSTED_PROXY_COUNT"),
        (NO_METRICS_TOKEN, "Set METRICS_TOKEN"),
        ({**GOOD, "METRICS_TOKEN": "short"}, "Set METRICS_TOKEN"),
        ({**GOOD, "METRICS_ALLOWED_IPS": "127.0.0.1"}, "METRICS_ALLOWED_IPS is not honoured"),
    ],
)
def test_production_settings_refuse_unsafe_configuration(env_case, message):
    result = _import_production(**env_case)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_accept_safe_configuration():
    result = _import_production(**GOOD)
    assert result.returncode == 0, result.stderr


def test_production_honours_only_the_metrics_token_and_keeps_api_docs_private():
    code = ("import vividly.settings.production as s; "
            "print(s.METRICS_ALLOWED_IPS, s.API_DOCS_PUBLIC, s.TRUSTED_PROXY_COUNT)")
    result = _import_production(code, **GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "False", "1"]


def test_production_may_run_without_metrics_when_they_are_off():
    result = _import_production(**{**NO_METRICS_TOKEN, "METRICS_ENABLED": "false"})
    assert result.returncode == 0, result.stderr


def test_the_textbooks_are_found_beside_the_checkout_a_folder_above_or_the_checkout_it_was_cloned_from(tmp_path):
    from vividly.settings.components.corpus import default_corpus  # noqa: PLC0415 - the function, not the settings

    books = tmp_path / "work" / "shared" / "oer" / "openstax"
    books.mkdir(parents=True)
    original = tmp_path / "work" / "main"
    original.mkdir()
    # beside the checkout, or beside a folder above it (a clone in work/scratch/x/v)
    assert default_corpus(original) == books
    assert default_corpus(tmp_path / "work" / "scratch" / "x" / "v") == books
    # a clone somewhere else altogether: beside the checkout it was cloned from
    clone = tmp_path / "elsewhere" / "v"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "config").write_text(f'[core]\n\tbare = false\n[remote "origin"]\n\turl = {original}\n')
    assert default_corpus(clone) == books
    # and none at all: the documented place, for the "not found" message
    (clone / ".git" / "config").write_text('[remote "origin"]\n\turl = https://example.org/vividly.git\n')
    assert default_corpus(clone) == tmp_path / "elsewhere" / "shared" / "oer" / "openstax"
