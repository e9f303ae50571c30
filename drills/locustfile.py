"""Monday morning at a district, scaled to one box: students sign in, browse topics, ask for
lessons under their quota, watch and post progress; teachers open their class pages.

Credentials come from LOAD_USERS_FILE (JSON: {"students": [[email, pw]], "teachers": [[email, pw, class_pk]],
"topics": [ids]}), written by tests/drills/test_load.py.
"""

# ruff: noqa: S311 - random picks of simulated behaviour, not secrets

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["LOAD_USERS_FILE"]).read())  # noqa: SIM115
_students = itertools.cycle(DATA["students"])
_teachers = itertools.cycle(DATA["teachers"])
MAX_LESSONS = int(os.environ.get("LOAD_LESSONS_PER_STUDENT", "2"))


def _sign_in(user: HttpUser, email: str, password: str) -> None:
    """Browser sign-in (session cookie) and an API token, as the student app does."""
    user.client.get("/accounts/login/", name="GET /accounts/login/")
    csrf = user.client.cookies.get("csrftoken", "")
    user.client.post("/accounts/login/", data={"username": email, "password": password,
                                              "csrfmiddlewaretoken": csrf},
                     headers={"Referer": user.host + "/accounts/login/"}, name="POST /accounts/login/")
    with user.client.post("/api/v1/auth/token/", json={"email": email, "password": password},
                          name="POST /api/v1/auth/token/", catch_response=True) as response:
        if response.status_code == 200:
            user.auth = {"Authorization": f"Bearer {response.json()['access']}"}
        else:
            response.failure(f"token {response.status_code}")
            user.auth = {}


class Student(HttpUser):
    weight = 12
    wait_time = between(3, 10)

    def on_start(self):
        email, password = next(_students)
        _sign_in(self, email, password)
        self.requests: list[int] = []
        self.asked = 0

    @task(4)
    def browse_topics(self):
        self.client.get("/student/topics/", name="GET /student/topics/")

    @task(2)
    def dashboard(self):
        self.client.get("/student/", name="GET /student/")

    @task(1)
    def search(self):
        self.client.get("/api/v1/search/", params={"q": random.choice(["force", "atom", "cell", "energy"])},
                        headers=self.auth, name="GET /api/v1/search/")

    @task(2)
    def request_lesson(self):
        if self.asked >= MAX_LESSONS:
            return
        self.asked += 1
        with self.client.post("/api/v1/lessons/requests/", json={"topic_id": random.choice(DATA["topics"])},
                              headers=self.auth, name="POST /api/v1/lessons/requests/",
                              catch_response=True) as response:
            if response.status_code in (200, 201, 202):
                self.requests.append(response.json()["id"])
            elif response.status_code == 429:
                response.success()  # over quota is the right answer, not an error

    @task(4)
    def watch(self):
        if not self.requests:
            return
        pk = random.choice(self.requests)
        status = self.client.get(f"/api/v1/lessons/requests/{pk}/", headers=self.auth,
                                 name="GET /api/v1/lessons/requests/{id}/")
        if status.status_code != 200 or not status.json().get("lesson_id"):
            return
        self.client.get(f"/api/v1/lessons/{status.json()['lesson_id']}/", headers=self.auth,
                        name="GET /api/v1/lessons/{id}/")
        session = uuid.uuid4().hex
        events = [{"id": str(uuid.uuid4()), "request": pk, "session": session, "seq": i, "kind": kind,
                   "position": pos, "client_time": datetime.now(UTC).isoformat()}
                  for i, (kind, pos) in enumerate((("play", 0.0), ("heartbeat", 15.0), ("heartbeat", 30.0)))]
        self.client.post("/api/v1/progress/events/", json={"events": events}, headers=self.auth,
                         name="POST /api/v1/progress/events/")


class Teacher(HttpUser):
    weight = 1
    wait_time = between(5, 15)

    def on_start(self):
        email, password, self.class_pk = next(_teachers)
        _sign_in(self, email, password)

    @task(3)
    def class_page(self):
        self.client.get(f"/teacher/classes/{self.class_pk}/", name="GET /teacher/classes/{id}/")

    @task(1)
    def class_progress_api(self):
        self.client.get(f"/api/v1/classes/{self.class_pk}/progress/", headers=self.auth,
                        name="GET /api/v1/classes/{id}/progress/")
