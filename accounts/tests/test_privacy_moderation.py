"""Moderation escalation: block kindly → notify the teacher → escalate self-harm to opted-in district admins."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.privacy.models import DistrictPrivacySettings
from content import services as content_services
from content.models import ModerationReview, Notification, SafetyEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def opted_in(tenant_a, tenant_b):
    row = DistrictPrivacySettings.objects.create(district=tenant_a.district)
    row.safety_escalation_admins.add(tenant_a.district_admin)
    return row


def _flag(student, category, text="flagged text"):
    return content_services.record_safety_event(student=student, category=category, question=text)


def test_self_harm_escalates_to_opted_in_district_admins_only(tenant_a, tenant_b, opted_in):
    event = _flag(tenant_a.student, SafetyEvent.Category.SELF_HARM, "i want to die")
    review = ModerationReview.objects.get(safety_event=event)
    assert review.tier == ModerationReview.Tier.DISTRICT
    assert review.escalated_to == 1
    assert review.status == ModerationReview.Status.OPEN
    alert = Notification.objects.get(user=tenant_a.district_admin)
    assert alert.kind == "safety_alert"
    assert f"/moderationreview/{review.pk}/" in alert.url
    # the escalation carries no student name or email
    for secret in (tenant_a.student.email, tenant_a.student.last_name):
        assert secret not in alert.title + alert.body
    assert Notification.objects.filter(user=tenant_a.teacher, kind="safety_alert").exists()  # tier 2 too
    assert not Notification.objects.filter(user=tenant_b.district_admin).exists()


def test_without_opt_in_self_harm_stops_at_the_teacher(tenant_a):
    event = _flag(tenant_a.student, SafetyEvent.Category.SELF_HARM, "i want to die")
    review = ModerationReview.objects.get(safety_event=event)
    assert review.tier == ModerationReview.Tier.TEACHER
    assert review.escalated_to == 0
    assert not Notification.objects.filter(user=tenant_a.district_admin).exists()


def test_a_single_off_topic_or_violent_request_is_only_blocked(tenant_a, opted_in):
    event = _flag(tenant_a.student, SafetyEvent.Category.VIOLENCE)
    assert ModerationReview.objects.get(safety_event=event).tier == ModerationReview.Tier.BLOCKED
    assert not Notification.objects.exists()


def test_review_queue_in_admin_is_scoped_and_reviewable(tenant_a, tenant_b, opted_in):
    mine = ModerationReview.objects.get(safety_event=_flag(tenant_a.student, "self_harm", "kill myself"))
    theirs = ModerationReview.objects.get(safety_event=_flag(tenant_b.student, "self_harm", "kill myself"))
    client = Client()
    client.force_login(tenant_a.district_admin)
    changelist = client.get(reverse("admin:content_moderationreview_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 1
    assert client.get(reverse("admin:content_moderationreview_change", args=[theirs.pk])).status_code == 404
    client.post(reverse("admin:content_moderationreview_changelist"),
                {"action": "mark_reviewed", "_selected_action": [mine.pk]})
    mine.refresh_from_db()
    assert mine.status == "reviewed"
    assert mine.reviewed_by == tenant_a.district_admin
