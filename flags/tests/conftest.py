from __future__ import annotations

import socket

import pytest

from accounts.models import User
from flags import services
from flags.models import Flag


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(email="root@vividly.test", password="Root-Password-42")


@pytest.fixture
def make_flag(superuser):
    """`make_flag(key, **settings)` → a Flag saved through the service (so it is audited)."""

    def make(key: str, **fields) -> Flag:
        flag = Flag.objects.filter(name=key).first() or Flag(name=key)
        for field, value in fields.items():
            setattr(flag, field, value)
        return services.save_flag(actor=superuser, flag=flag, reason="test setup")

    return make


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
