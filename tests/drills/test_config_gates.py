"""Drill 6: config gates (deploy check, migrations, OpenAPI schema) and no outbound network from tests."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import redis
from django.conf import settings

from tests.ops.test_deploy_check import _production_env

from ._support import ROOT, record

pytestmark = pytest.mark.drills
# Silenced deploy-check ids, with the reason (keep in step with SILENCED_SYSTEM_CHECKS): none today.
SILENCED: dict[str, str] = {}


def _run(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603 - our own manage.py with the test's arguments
                          text=True, timeout=300, check=False)


def test_check_deploy_has_no_findings_under_production_settings():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    findings = result.stdout.count("(security.") + result.stderr.count("?: (")
    record("config", "check --deploy findings (production)", findings, "0")
    record("config", "silenced check ids", ", ".join(SILENCED) or "none")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_missing_migrations():
    result = _run("makemigrations", "--check", "--dry-run")
    record("config", "makemigrations --check", "clean" if result.returncode == 0 else "MISSING", "clean")
    assert result.returncode == 0, result.stdout + result.stderr


def test_openapi_schema_validates_without_warnings(tmp_path):
    result = _run("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    warnings = (result.stdout + result.stderr).count("Warning")
    record("config", "spectacular --validate warnings", warnings, "0")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("host", ["10.255.255.1", "8.8.8.8", "93.184.215.14"])
def test_outbound_network_is_blocked_in_tests(host):
    """pytest-socket (--allow-hosts in pyproject addopts) refuses non-loopback connections."""
    from pytest_socket import SocketConnectBlockedError  # noqa: PLC0415 - pytest_socket is loaded on first use (heavy or optional)

    with pytest.raises(SocketConnectBlockedError), socket.create_connection((host, 80), timeout=1):
        pass


def test_loopback_services_still_work():
    assert redis.Redis.from_url(settings.REDIS_URL).ping()
    with socket.create_connection(("127.0.0.1", settings.DATABASES["default"]["PORT"] or 5432), timeout=2):
        pass
    record("config", "outbound network from tests", "blocked (pytest-socket, loopback only)", "blocked")
