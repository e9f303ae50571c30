"""Admin (breaker states on the cost ledger, tenant scoping) and `manage.py generate_lesson`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from content import services
from content.models import DistrictBudget, ProviderCall
from vividly.providers import breakers
from vividly.providers.base import Usage

pytestmark = pytest.mark.django_db


def test_cost_ledger_admin_shows_breaker_states_and_only_own_district(client, tenant_a, tenant_b):
    services.record_provider_call(capability="llm", usage=Usage(provider="gemini", output_tokens=1000),
                                  district_id=tenant_a.district.pk, detail="district-a-call")
    services.record_provider_call(capability="llm", usage=Usage(provider="gemini", output_tokens=1000),
                                  district_id=tenant_b.district.pk, detail="district-b-call")
    breakers.breaker("gemini").open()
    client.force_login(tenant_a.district_admin)
    page = client.get("/admin/content/providercall/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Circuit breakers" in html
    assert "gemini" in html
    assert "open" in html
    assert page.context["cl"].result_count == 1
    other = ProviderCall.objects.get(district=tenant_b.district)
    assert client.get(f"/admin/content/providercall/{other.pk}/change/").status_code == 404


def test_district_admin_sets_their_own_budget(client, tenant_a, tenant_b):
    client.force_login(tenant_a.district_admin)
    response = client.post("/admin/content/districtbudget/add/", {
        "district": tenant_b.district.pk, "monthly_budget": "250.00", "action_at_limit": "pause"})
    assert response.status_code == 302
    budget = DistrictBudget.objects.get()
    assert budget.district == tenant_a.district  # pinned to the admin's own district


def test_generate_lesson_command_prints_the_lesson_json(mini_corpus, student):
    out = StringIO()
    call_command("generate_lesson", "--student", student.email, "--question",
                 "How does kinetic energy relate to work?", "--interest", "Basketball", "--json", stdout=out)
    lesson = json.loads(out.getvalue())
    assert lesson["video_url"].endswith("lesson.mp4")
    assert lesson["captions_url"].endswith(".vtt")
    assert len(lesson["quiz"]) == 3
    assert 5 <= len(lesson["scenes"]) <= 8
    assert lesson["quality"]["cited_share"] == 1.0
    assert lesson["providers"]["scripting"] == "local"


def test_generate_lesson_command_rejects_unknown_students(db):
    with pytest.raises(CommandError):
        call_command("generate_lesson", "--student", "nobody@nowhere.org", "--question", "What is force?")
