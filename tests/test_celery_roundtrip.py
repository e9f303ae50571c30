import pytest
from django_celery_results.models import TaskResult

from vividly.celery import debug_ping

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_debug_ping_round_trips_through_a_real_worker(celery_worker_process):
    result = debug_ping.delay("hello")
    assert result.get(timeout=120)["pong"] == "hello"
    # the result is stored in Postgres by django-celery-results
    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert "hello" in stored.result
