"""Fixtures for the lesson pipeline tests: a student with an interest, isolated media folders."""

from __future__ import annotations

import pytest

from accounts.models import Interest, StudentInterest
from vividly.providers import breakers, registry


@pytest.fixture(autouse=True)
def _lesson_media(request, settings, tmp_path_factory):
    """In-process tests write media to their own folders; worker tests share the worker's MEDIA_ROOT."""
    if request.node.get_closest_marker("worker") is None:
        base = tmp_path_factory.getbasetemp()
        settings.MEDIA_ROOT = str(base / "media")
        settings.LESSON_WORK_DIR = str(base / "lesson-work")

    registry.reset()
    breakers.reset_all()
    yield
    registry.reset()


@pytest.fixture
def basketball(db) -> Interest:
    interest, _ = Interest.objects.get_or_create(slug="basketball", defaults={"name": "Basketball",
                                                                             "category": "sports"})
    return interest


@pytest.fixture
def student(tenant_a, basketball):
    StudentInterest.objects.get_or_create(student=tenant_a.student, interest=basketball, defaults={"rank": 1})
    return tenant_a.student
