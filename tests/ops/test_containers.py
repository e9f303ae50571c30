"""Dockerfile, docker-compose.yml and gunicorn.conf.py: parsed and checked (no Docker engine here)."""

import re
import runpy
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
WELL_KNOWN_ENV = {"DJANGO_SETTINGS_MODULE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                  "PROMETHEUS_MULTIPROC_DIR", "PORT"}


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    result, pending = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    return result


def _stages(instructions):
    stages = []
    for keyword, args in instructions:
        if keyword == "FROM":
            match = re.search(r"\bAS\s+(\w+)", args, re.IGNORECASE)
            stages.append({"name": match.group(1) if match else None, "from": args, "steps": []})
        elif stages:
            stages[-1]["steps"].append((keyword, args))
    return stages


@pytest.fixture(scope="module")
def stages():
    return {stage["name"]: stage for stage in _stages(_instructions(ROOT / "Dockerfile"))}


def test_dockerfile_is_multi_stage_with_a_slim_runtime(stages):
    assert {"builder", "runtime"} <= set(stages)
    runtime = stages["runtime"]["steps"]
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime
    assert not any("build-essential" in args for _, args in runtime), "compilers leak into runtime"


def test_runtime_runs_as_non_root_with_healthcheck_and_gunicorn(stages):
    runtime = stages["runtime"]["steps"]
    users = [args for keyword, args in runtime if keyword == "USER"]
    assert users, "no USER in the runtime stage"
    assert users[-1].split(":")[0] not in {"root", "0"}
    (healthcheck,) = [args for keyword, args in runtime if keyword == "HEALTHCHECK"]
    assert "/healthz" in healthcheck
    (cmd,) = [args for keyword, args in runtime if keyword == "CMD"]
    assert '"gunicorn"' in cmd
    assert "vividly.wsgi:application" in cmd
    assert any("collectstatic" in args for keyword, args in runtime if keyword == "RUN")
    # the last stage (dev) also ends as the unprivileged user
    last = list(stages.values())[-1]["steps"]
    assert [args for keyword, args in last if keyword == "USER"][-1].split(":")[0] != "root"


def test_torch_cpu_wheel_is_pinned_and_installed_first(stages):
    runs = [args for keyword, args in stages["builder"]["steps"] if keyword == "RUN"]
    torch_at = next(i for i, args in enumerate(runs) if "torch==" in args)
    reqs_at = next(i for i, args in enumerate(runs) if "-r /tmp/requirements.txt" in args)
    assert torch_at < reqs_at
    assert "whl/cpu" in runs[torch_at]
    pinned = re.search(r"torch==([\w.+]+)", runs[torch_at]).group(1)
    assert f"torch=={pinned}" in (ROOT / "requirements.txt").read_text().splitlines()


def test_dockerignore_keeps_secrets_and_local_state_out():
    entries = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".var", ".git", "node_modules"} <= entries


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_services_and_images(compose):
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat", "adminer", "redis-commander"} <= set(services)
    assert "pgvector" in services["db"]["image"]
    assert re.fullmatch(r"redis:7[\w.-]*", services["redis"]["image"])
    assert {services[name]["image"] for name in ("web", "worker", "beat")} == {"vividly:dev"}
    assert "celery -A vividly worker" in services["worker"]["command"]
    assert "celery -A vividly beat" in services["beat"]["command"]
    assert "runserver" in services["web"]["command"]  # auto-reloads on code changes
    for name in ("web", "worker", "beat"):
        assert ".:/app" in services[name]["volumes"]  # hot reload via bind mount
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_matches_the_embedded_setup(compose):
    services = compose["services"]
    # the same variables and defaults as the embedded services, whatever this run's ports are
    assert (f"127.0.0.1:${{EMBEDDED_POSTGRES_PORT:-{settings.DEFAULT_EMBEDDED_POSTGRES_PORT}}}:5432"
            in services["db"]["ports"])
    assert (f"127.0.0.1:${{EMBEDDED_REDIS_PORT:-{settings.DEFAULT_EMBEDDED_REDIS_PORT}}}:6379"
            in services["redis"]["ports"])
    env = services["web"]["environment"]
    db = services["db"]["environment"]
    assert env["DATABASE_URL"] == (f"postgres://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}"
                                   f"@db:5432/{db['POSTGRES_DB']}")
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    # every variable given to the app is one the settings actually read
    settings_text = "".join(p.read_text() for p in (ROOT / "vividly" / "settings").rglob("*.py"))
    unknown = {name for name in env if name not in WELL_KNOWN_ENV and f'"{name}"' not in settings_text}
    assert not unknown, f"compose sets variables nothing reads: {unknown}"
    procfile = (ROOT / "Procfile").read_text()
    for process, service in (("worker", "worker"), ("heavy", "worker-heavy"), ("library", "library")):
        line = re.search(rf"^{process}: (.+)$", procfile, re.MULTILINE).group(1)
        queues = re.search(r"-Q (\S+)", line).group(1)
        assert f"-Q {queues}" in services[service]["command"]
    # issue 17: heavy work (rendering; ingestion) on its own queues, at lower priority and capped CPU
    assert re.search(r"^heavy: nice -n 10 .*-Q generation\b", procfile, re.MULTILINE)
    assert re.search(r"^library: nice -n 10 .*-Q ingestion\b", procfile, re.MULTILINE)
    for heavy in ("worker-heavy", "library"):
        assert "nice -n 10" in services[heavy]["command"]
        assert float(services[heavy]["cpus"]) <= 1
    assert "generation" not in services["worker"]["command"]
    assert "ingestion" not in services["worker"]["command"]


def test_gunicorn_config_binds_port_and_cleans_multiprocess_dir(tmp_path, monkeypatch):
    stale = tmp_path / "prom"
    stale.mkdir()
    (stale / "counter_123.db").write_bytes(b"stale")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(stale))
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:8123"
    assert config["accesslog"] is None
    config["on_starting"](None)
    assert stale.is_dir()
    assert not any(stale.iterdir())
