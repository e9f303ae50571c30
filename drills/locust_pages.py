"""Pages under load (issue 17): signed-in students browsing, and one class signing in at once.

`Browsing`: students whose sessions were opened beforehand (a sessionid cookie and an API token
each, no sign-in in the figure) open the dashboard, a lesson, the catalogue, search, poll a lesson
being made and send player beacons; a few ask for a lesson, which the heavy worker renders
meanwhile. `ClassSignIn`: each user signs in once through the sign-in form, then idles.

Data from LOAD_PAGES_FILE (JSON, written by tests/drills/test_load_pages.py):
{"sessions": [[sessionid, jwt, [ready request ids], pending request id]], "books": [slug],
 "chapters": [[slug, number]], "topics": [ids], "class": [[email, password]]}.
"""

# ruff: noqa: S311 - random picks of simulated behaviour, not secrets

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime
from http.cookiejar import Cookie
from urllib.parse import urlsplit

from locust import FastHttpUser, between, constant, task

DATA = json.loads(open(os.environ["LOAD_PAGES_FILE"]).read())  # noqa: SIM115
_sessions = itertools.cycle(DATA.get("sessions", []))
_class = iter(DATA.get("class", []))
# FastHttpUser (geventhttpclient): a fraction of python-requests' CPU per request, which matters when
# Locust shares the 2 cores with the server it measures. Cookies live in `client.cookiejar`.
QUESTIONS = ["What is inertia?", "How do atoms bond?", "What does a cell membrane do?", "Why do things float?"]


def _session_cookie(host: str, value: str) -> Cookie:
    """The pre-opened session's cookie, as the server would have set it (host-only, path /)."""
    return Cookie(0, "sessionid", value, None, False, urlsplit(host).hostname, False, False, "/", True, False,
                  None, True, None, None, {})


def _cookie(client, name: str) -> str:
    return next((cookie.value for cookie in client.cookiejar if cookie.name == name), "")


class Browsing(FastHttpUser):
    wait_time = between(3, 10)

    def on_start(self):
        sessionid, token, self.ready, self.pending = next(_sessions)
        self.client.cookiejar.set_cookie(_session_cookie(self.host, sessionid))
        self.auth = {"Authorization": f"Bearer {token}"}
        self.asked = False

    @task(3)
    def dashboard(self):
        self.client.get("/student/", name="GET /student/")

    @task(3)
    def lesson(self):
        self.client.get(f"/student/lessons/{random.choice(self.ready)}/", name="GET /student/lessons/{id}/")

    @task(2)
    def catalogue(self):
        self.client.get("/student/topics/", name="GET /student/topics/")

    @task(1)
    def catalogue_book(self):
        self.client.get(f"/student/topics/{random.choice(DATA['books'])}/", name="GET /student/topics/{book}/")

    @task(1)
    def catalogue_chapter(self):
        slug, number = random.choice(DATA["chapters"])
        self.client.get(f"/student/topics/{slug}/{number}/", name="GET /student/topics/{book}/{chapter}/")

    @task(1)
    def search(self):
        self.client.get("/api/v1/search/", params={"q": random.choice(QUESTIONS)}, headers=self.auth,
                        name="GET /api/v1/search/")

    @task(3)
    def status_polls(self):
        """The lesson-being-made page polls: the status API and the htmx live panel."""
        self.client.get(f"/api/v1/lessons/requests/{self.pending}/", headers=self.auth,
                        name="GET /api/v1/lessons/requests/{id}/")
        self.client.get("/student/live/", headers={"HX-Request": "true"}, name="GET /student/live/ (htmx)")

    @task(3)
    def progress_beacon(self):
        events = [{"id": str(uuid.uuid4()), "request": random.choice(self.ready), "session": uuid.uuid4().hex,
                   "seq": i, "kind": kind, "position": pos, "client_time": datetime.now(UTC).isoformat()}
                  for i, (kind, pos) in enumerate((("play", 0.0), ("heartbeat", 5.0)))]
        self.client.post("/api/v1/progress/events/", json={"events": events}, headers=self.auth,
                         name="POST /api/v1/progress/events/")

    @task(1)
    def ask(self):
        """A few students ask for a lesson: the heavy worker renders while the others browse."""
        if self.asked or random.random() > 0.1:
            return
        self.asked = True
        with self.client.post("/api/v1/lessons/requests/", json={"topic_id": random.choice(DATA["topics"])},
                              headers=self.auth, name="POST /api/v1/lessons/requests/",
                              catch_response=True) as response:
            if response.status_code == 429:
                response.success()  # over quota is the right answer, not an error


class ClassSignIn(FastHttpUser):
    """One student of the class: the sign-in form once (a 302 to their home is success), then idle."""

    wait_time = constant(60)

    def on_start(self):
        email, password = next(_class)
        self.client.get("/accounts/login/", name="GET /accounts/login/")
        csrf = _cookie(self.client, "csrftoken")
        with self.client.post("/accounts/login/", data={"username": email, "password": password,
                                                        "csrfmiddlewaretoken": csrf},
                              headers={"Referer": self.host + "/accounts/login/"}, allow_redirects=False,
                              name="POST /accounts/login/", catch_response=True) as response:
            if response.status_code != 302 or not _cookie(self.client, "sessionid"):
                response.failure(f"not signed in: {response.status_code}")

    @task
    def idle(self):
        """Signed in; nothing more to measure."""
