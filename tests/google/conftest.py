"""Fixtures for the Google provider tests: the fake Google (tests/support/fake_google.py) and
breakers rebuilt from the test's settings."""

from __future__ import annotations

import pytest

from ingestion import vector_search
from vividly.providers import breakers, registry


@pytest.fixture
def fresh_breakers(settings):
    """Breakers with fail_max=3, closed before and after the test."""
    settings.BREAKERS = {**settings.BREAKERS, "default": {"fail_max": 3, "reset_timeout": 60},
                         "vertex_vector_search": {"fail_max": 2, "reset_timeout": 60}}
    breakers.breaker.cache_clear()
    breakers.reset_all()
    registry.reset()
    yield breakers
    breakers.reset_all()
    breakers.breaker.cache_clear()
    registry.reset()


@pytest.fixture
def google(fake_google_cloud, fresh_breakers):
    """The fake Google with ADC pointing at it and fresh breakers."""

    vector_search.reset_clients()
    yield fake_google_cloud
    vector_search.reset_clients()
