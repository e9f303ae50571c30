"""Embedded dev services: clear errors when a port or a data directory is already in use."""

from __future__ import annotations

import socket

import pytest

from tests.support.processes import free_port
from vividly import devservices


@pytest.fixture
def var_dir(tmp_path):
    yield tmp_path
    devservices.redis_stop(tmp_path)
    devservices.postgres_stop(tmp_path)


def test_postgres_running_on_another_port_is_named_instead_of_a_pg_ctl_failure(var_dir):
    # given the embedded PostgreSQL of this data directory running on one port
    first = free_port()
    assert devservices.postgres_start(var_dir, first).running
    # when asked to start it on another port (e.g. EMBEDDED_POSTGRES_PORT changed)
    with pytest.raises(devservices.ServiceError) as error:
        devservices.postgres_start(var_dir, free_port())
    # then the message says where it runs and what to do
    assert f"already running on port {first}" in str(error.value)
    assert f"EMBEDDED_POSTGRES_PORT={first}" in str(error.value)
    # and the same port is simply "already running"
    assert devservices.postgres_start(var_dir, first).detail == "already running"


def test_redis_running_on_another_port_is_named(var_dir):
    first = free_port()
    devservices.redis_start(var_dir, first)
    with pytest.raises(devservices.ServiceError) as error:
        devservices.redis_start(var_dir, free_port())
    assert f"already running on port {first}" in str(error.value)
    assert devservices.redis_start(var_dir, first).detail == "already running"


def test_a_port_taken_by_another_program_names_the_service_and_its_log(var_dir):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(devservices.ServiceError) as error:
            devservices.redis_start(var_dir, port)
    assert f"port {port} is taken by another program" in str(error.value)
    assert "EMBEDDED_REDIS_PORT" in str(error.value)
