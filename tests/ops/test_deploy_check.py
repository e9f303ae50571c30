"""`manage.py check --deploy` is clean under production settings (as the image runs them)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIVIDLY_TEST", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "vividly.settings.production",
        "VIVIDLY_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://vividly:pw@10.1.2.3:5432/vividly",
        "REDIS_URL": "redis://:auth@10.1.2.4:6379/0",
        "ALLOWED_HOSTS": "vividly.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://vividly.example.org",
        "DEBUG": "false",
        "SENTRY_DSN": "",
        "TRUSTED_PROXY_COUNT": "1",  # terraform/run.tf
        "METRICS_TOKEN": secrets.token_urlsafe(32),
        **extra,
    })
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=_production_env(), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_debug():
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env=_production_env(DEBUG="true"), capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr
