"""Give district B at least one row of every tenant-owned model, whatever models exist.

Generic on purpose: a model added tomorrow gets a row without anyone editing this file. Fields are
filled from their types; foreign keys point at district B's objects (creating them first when needed).
"""

from __future__ import annotations

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ingestion.models import Book, Chapter, Topic
from schools.models import Classroom, District, School

from .sweep import tenant_models


def _global_topic() -> Topic:
    book, _ = Book.objects.get_or_create(slug="sweep-physics", defaults={"title": "Sweep Physics",
                                                                       "subject": "physics"})
    chapter, _ = Chapter.objects.get_or_create(book=book, number=1, defaults={"title": "Motion"})
    topic, _ = Topic.objects.get_or_create(module_id="m99999", defaults={"chapter": chapter, "number": 1,
                                                                         "title": "Speed"})
    return topic


class Populator:
    def __init__(self, tenant):
        self.tenant = tenant
        user_model = get_user_model()
        self.known = {District: tenant.district, School: tenant.school, Classroom: tenant.classroom,
                      user_model: tenant.student, Topic: _global_topic()}
        self.skipped: dict[str, str] = {}

    def instance_of(self, model: type[models.Model], depth: int = 0):
        if model in self.known:
            return self.known[model]
        if hasattr(model, "tenant_policy"):
            existing = model._default_manager.filter(
                **{model.tenant_policy.district: self.tenant.district.pk}).first()
        else:
            existing = model._default_manager.first()
        if existing is None and depth < 4:
            existing = self.create(model, depth + 1)
        if existing is not None:
            self.known[model] = existing
        return existing

    def value_for(self, field: models.Field, depth: int):
        if field.has_default():
            return field.get_default()
        if field.choices:
            return field.choices[0][0]
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            if isinstance(field, models.ForeignKey) and field.remote_field.model is get_user_model():
                return self.tenant.student
            return self.instance_of(field.remote_field.model, depth)
        simple = {
            models.EmailField: f"sweep-{uuid.uuid4().hex[:8]}@example.org",
            models.URLField: "https://example.org/",
            models.SlugField: f"sweep-{uuid.uuid4().hex[:8]}",
            models.UUIDField: uuid.uuid4(),
            models.DateTimeField: timezone.now(),
            models.DateField: datetime.date.today(),  # noqa: DTZ011 - plain dates
            models.DurationField: datetime.timedelta(seconds=30),
            models.BooleanField: False,
            models.JSONField: {},
            models.DecimalField: 1,
            models.FloatField: 1.0,
            models.IntegerField: 1,
            models.GenericIPAddressField: "127.0.0.1",
            models.BinaryField: b"",
        }
        for field_type, value in simple.items():
            if isinstance(field, field_type):
                return value
        if isinstance(field, models.CharField | models.TextField):
            return f"sweep-{uuid.uuid4().hex[:10]}"[: field.max_length or 30]
        if isinstance(field, models.FileField):
            return "sweep/none.txt"
        return None

    def create(self, model: type[models.Model], depth: int = 0):
        values = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.null or getattr(field, "auto_now", False) or getattr(
                    field, "auto_now_add", False):
                if isinstance(field, models.ForeignKey) and field.null and not field.primary_key:
                    related = field.remote_field.model
                    if related in self.known or hasattr(related, "tenant_policy"):
                        values[field.name] = self.instance_of(related, depth)
                continue
            value = self.value_for(field, depth)
            if value is None and not field.blank:
                self.skipped[model._meta.label] = f"cannot fill {field.name}"
                return None
            values[field.name] = value
        try:
            with transaction.atomic():
                return model._default_manager.create(**values)
        except (IntegrityError, ValueError, TypeError) as exc:
            self.skipped[model._meta.label] = str(exc)[:200]
            return None

    def run(self) -> dict[str, str]:
        for model in tenant_models():
            self.instance_of(model)
        return self.skipped
