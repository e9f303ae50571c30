"""scripts/setup_cost_monitoring.sh: argument validation, a full dry run, and shellcheck."""

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "setup_cost_monitoring.sh"


def _run(*args, tmp_path, **env):
    # A `gcloud` on PATH that records any call: a dry run must never reach it.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir(exist_ok=True)
    marker = tmp_path / "gcloud-called"
    gcloud = fake_bin / "gcloud"
    gcloud.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\n")
    gcloud.chmod(0o755)
    full_env = {"PATH": f"{fake_bin}:{os.environ['PATH']}", "HOME": str(tmp_path),
                "COST_MONITORING_OUT": str(tmp_path / "out"), **env}
    result = subprocess.run(["bash", str(SCRIPT), *args], env=full_env, capture_output=True,  # noqa: S603, S607 - bash from PATH running our own script
                            text=True, timeout=60, check=False)
    return result, marker


def test_dry_run_prints_the_budget_alerts_and_dashboard(tmp_path):
    result, marker = _run("prod", "1500", "--dry-run", tmp_path=tmp_path,
                          GOOGLE_CLOUD_PROJECT="district-vividly", BILLING_ACCOUNT_ID="0123AB-4567CD-89EF01",
                          ALERT_EMAILS="it-lead@district.org,finance@district.org")
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), "the dry run called gcloud"
    commands = [shlex.split(line[2:]) for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert all(command[0] == "gcloud" for command in commands)

    channels = [c for c in commands if c[1:5] == ["beta", "monitoring", "channels", "create"]]
    assert [a for c in channels for a in c if a.startswith("--channel-labels")] == [
        "--channel-labels=email_address=it-lead@district.org",
        "--channel-labels=email_address=finance@district.org"]

    (budget,) = [c for c in commands if c[1:4] == ["billing", "budgets", "create"]]
    assert "--billing-account=0123AB-4567CD-89EF01" in budget
    assert "--budget-amount=1500USD" in budget
    assert "--filter-projects=projects/district-vividly" in budget
    thresholds = [a.split("=", 2)[2] for a in budget if a.startswith("--threshold-rule=")]
    assert thresholds[:4] == ["0.50", "0.75", "0.90", "1.00"]
    assert any(a.startswith("--notifications-rule-monitoring-notification-channels=") for a in budget)

    policies = [c for c in commands if c[1:5] == ["alpha", "monitoring", "policies", "create"]]
    metrics = set()
    for command in policies:
        path = Path(next(a for a in command if a.startswith("--policy-from-file=")).split("=", 1)[1])
        policy = json.loads(path.read_text())
        assert policy["displayName"].startswith("vividly-prod: ")
        assert len(policy["notificationChannels"]) == 2
        metrics.add(policy["conditions"][0]["conditionThreshold"]["filter"].split('metric.type = "')[1][:-1])
    assert metrics == {"run.googleapis.com/container/cpu/utilizations",
                       "cloudsql.googleapis.com/database/postgresql/num_backends",
                       "redis.googleapis.com/stats/memory/usage_ratio"}

    (dashboard,) = [c for c in commands if c[1:4] == ["monitoring", "dashboards", "create"]]
    path = Path(next(a for a in dashboard if a.startswith("--config-from-file=")).split("=", 1)[1])
    config = json.loads(path.read_text())
    assert config["displayName"] == "vividly-prod costs"
    assert len(config["mosaicLayout"]["tiles"]) >= 5


@pytest.mark.parametrize("args", [
    (), ("dev",), ("qa", "100"), ("dev", "abc"), ("dev", "-5"), ("dev", "0"), ("dev", "10", "--bogus"),
    ("dev", "100", "extra"),
])
def test_invalid_arguments_are_refused(tmp_path, args):
    result, marker = _run(*args, "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert not marker.exists()


def test_bad_email_is_refused(tmp_path):
    result, _ = _run("dev", "100", "--dry-run", tmp_path=tmp_path, ALERT_EMAILS="not-an-email")
    assert result.returncode == 2
    assert "not an e-mail address" in result.stderr


def test_a_real_run_needs_the_billing_account(tmp_path):
    result, marker = _run("dev", "100", tmp_path=tmp_path, ALERT_EMAILS="a@b.org")
    assert result.returncode != 0
    assert "BILLING_ACCOUNT_ID" in result.stderr
    assert not marker.exists()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="Debian shellcheck not installed")
def test_shellcheck_clean():
    result = subprocess.run(["shellcheck", "--severity=style", str(SCRIPT)], capture_output=True,  # noqa: S603, S607 - shellcheck from PATH on our own script
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout
