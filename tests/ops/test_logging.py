"""JSON logs carry the request id, in the web process and inside the Celery task it enqueued."""

import json
import logging
import os
import time
import uuid
from pathlib import Path

import pytest
from django_celery_results.models import TaskResult

pytestmark = [pytest.mark.urls("tests.ops.urls")]


def _console_handler() -> logging.Handler:
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    return handler


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_request_id_is_in_web_logs_and_in_the_worker_task(client, caplog, celery_worker_process):
    request_id = uuid.uuid4().hex
    with caplog.at_level(logging.WARNING):
        response = client.get("/ops-test/enqueue/", HTTP_X_REQUEST_ID=request_id)
    assert response.status_code == 200
    assert response["X-Request-ID"] == request_id

    # the web-side line, formatted by the configured handler exactly as it is written to stderr
    handler = _console_handler()
    (record,) = [r for r in caplog.records if r.getMessage() == "enqueueing log probe"]
    line = json.loads(handler.format(record))
    assert line["request_id"] == request_id
    assert line["severity"] == "WARNING"
    assert line["name"] == "vividly.lessons"

    # the task ran in the real worker process under the same id ...
    task_id = response.json()["task_id"]
    deadline = time.monotonic() + 120
    while not TaskResult.objects.filter(task_id=task_id, status="SUCCESS").exists():
        assert time.monotonic() < deadline, "the worker did not run the probe"
        time.sleep(0.2)
    stored = json.loads(TaskResult.objects.get(task_id=task_id).result)
    assert stored["request_id"] == request_id

    # ... and its own JSON log line (the worker's stdout goes to the fixture's log file) says so
    log_path = Path(os.readlink(f"/proc/{celery_worker_process.pid}/fd/1"))
    deadline = time.monotonic() + 60
    while True:
        probe = [entry for entry in _json_lines(log_path.read_text())
                 if entry.get("message") == "log probe ran" and entry.get("request_id") == request_id]
        if probe:
            break
        assert time.monotonic() < deadline, log_path.read_text()[-3000:]
        time.sleep(0.2)
    assert probe[0]["severity"] == "INFO"
    assert probe[0]["name"] == "vividly.observability.tasks"


def test_a_request_without_an_id_gets_a_fresh_one(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first
    assert second
    assert first != second


def test_a_malformed_request_id_is_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID='evil"\n{"severity": "ERROR"}')
    assert "\n" not in response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
