"""Teacher-tool rows in the Django admin: read-only for tenant admins and scoped to their tenant."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from schools import services

from .teacher_fixtures import make_topics


def test_admin_sees_own_district_assignments_read_only(client, tenant_a, tenant_b):
    [topic] = make_topics(1)
    due = timezone.now() + timedelta(days=1)
    mine = services.create_assignment(actor=tenant_a.teacher, classroom=tenant_a.classroom, topic=topic, due_at=due)
    theirs = services.create_assignment(actor=tenant_b.teacher, classroom=tenant_b.classroom, topic=topic,
                                        due_at=due)
    client.force_login(tenant_a.district_admin)
    listing = client.get(reverse("admin:content_assignment_changelist")).content.decode()
    assert tenant_a.classroom.name in listing
    assert tenant_b.classroom.name not in listing
    assert client.get(reverse("admin:content_assignment_change", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("admin:content_assignment_change", args=[mine.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
