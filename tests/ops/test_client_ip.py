"""Finding 5: one unforgeable client address behind the configured number of proxies, used by every consumer.

The requests below play Cloud Run's front end themselves: the socket peer (REMOTE_ADDR) is the
proxy, the right-most X-Forwarded-For entry is what the proxy appended, and everything to its left is
whatever the client chose to send.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from accounts.models import SecurityEvent, UserSession
from accounts.tests.factories import DEFAULT_PASSWORD
from vividly.client_ip import resolve

ROOT = Path(__file__).resolve().parents[2]
PROXY = "169.254.1.1"  # Cloud Run's front end as the container sees it
CLIENT = "203.0.113.5"


@pytest.mark.parametrize(("count", "remote_addr", "forwarded", "expected"), [
    (0, "198.51.100.7", "1.2.3.4", "198.51.100.7"),                   # no proxy: the header is ignored
    (1, PROXY, CLIENT, CLIENT),                                        # what the front end wrote
    (1, PROXY, f"127.0.0.1, {CLIENT}", CLIENT),                        # a forged left-most entry
    (1, PROXY, f"10.0.0.1, 127.0.0.1,::1, {CLIENT}", CLIENT),          # several forged entries
    (1, PROXY, f" 2001:db8::1 , {CLIENT} ", CLIENT),                   # spaces around entries
    (1, PROXY, "2001:db8::5", "2001:db8::5"),                          # IPv6 clients
    (2, PROXY, f"127.0.0.1, {CLIENT}, 34.120.0.9", CLIENT),            # load balancer + front end
    (1, PROXY, "", PROXY),                                             # no header: the socket address
    (2, PROXY, CLIENT, PROXY),                                         # fewer hops than proxies
    (1, PROXY, "1.2.3.4, unknown", PROXY),                             # garbage never becomes a key
    (1, PROXY, "1.2.3.4, 203.0.113.5:4431", PROXY),                    # nor does an address with a port
])
def test_the_nth_entry_from_the_right_is_the_client(count, remote_addr, forwarded, expected):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert resolve(meta, count) == expected


def test_the_client_controls_only_entries_that_are_never_read():
    """Whatever a client prepends, the answer is the address the last proxy appended."""
    forged = ["127.0.0.1", "::1", "10.8.0.7", "8.8.8.8", "not-an-ip", "203.0.113.5, 127.0.0.1"]
    answers = {resolve({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{value}, 198.51.100.9"}, 1)
               for value in forged}
    assert answers == {"198.51.100.9"}


def _forged_client(forged: str, real: str = CLIENT) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{forged}, {real}")


@pytest.mark.django_db
def test_lockout_audit_sessions_and_rate_limits_see_the_real_client(tenant_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.VIVIDLY_RATE_LIMITS = {**settings.VIVIDLY_RATE_LIMITS, "auth_ip": "4/15m"}
    email = tenant_a.student.email

    # a failed sign-in with a forged address is recorded under the real one, by axes and the audit log
    assert _forged_client("127.0.0.1").post("/accounts/login/", {"username": email,
                                                                 "password": "wrong"}).status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILURE)
    assert event.ip_address == CLIENT

    # a successful one: the devices list shows the real address
    client = _forged_client("10.0.0.1")
    assert client.post("/accounts/login/", {"username": email, "password": DEFAULT_PASSWORD}).status_code == 302
    assert UserSession.objects.get(user=tenant_a.student).ip_address == CLIENT

    # the per-IP ceiling counts the real client whatever it forges: rotating the header does not help
    for forged in ("1.1.1.1", "2.2.2.2"):
        assert _forged_client(forged).post("/accounts/login/", {"username": "x@y.org",
                                                                "password": "z"}).status_code == 200
    assert _forged_client("3.3.3.3").post("/accounts/login/", {"username": "x@y.org",
                                                               "password": "z"}).status_code == 429
    # ... and another client behind the same proxy is unaffected
    assert _forged_client("3.3.3.3", real="198.51.100.44").post(
        "/accounts/login/", {"username": "x@y.org", "password": "z"}).status_code == 200


@pytest.mark.django_db
def test_rotating_forged_addresses_does_not_escape_the_ip_lockout(tenant_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_IP_FAILURE_LIMIT = 3
    for number in range(3):
        _forged_client(f"192.0.2.{number}").post("/accounts/login/", {"username": f"victim{number}@x.org",
                                                                     "password": "wrong"})
    blocked = _forged_client("192.0.2.99").post("/accounts/login/", {"username": tenant_a.student.email,
                                                                      "password": DEFAULT_PASSWORD})
    assert blocked.status_code == 429
    # a different real client (another school) signs in as usual
    other = _forged_client("192.0.2.99", real="198.51.100.45")
    assert other.post("/accounts/login/", {"username": tenant_a.student.email,
                                           "password": DEFAULT_PASSWORD}).status_code == 302


@pytest.mark.parametrize(("allowed", "forged", "status"), [
    ([CLIENT], "127.0.0.1", 200),      # the real client is on the list
    ([PROXY], "127.0.0.1", 403),       # the proxy's address is not the client's
    (["127.0.0.1"], "127.0.0.1", 403),  # a forged loopback address opens nothing
])
@pytest.mark.django_db
def test_metrics_allow_list_checks_the_resolved_client(settings, allowed, forged, status):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = allowed
    assert _forged_client(forged).get("/metrics").status_code == status


# Every consumer goes through vividly.client_ip: nothing else reads the socket address or the header.
ALLOWED_READERS = {"vividly/client_ip.py", "vividly/middleware.py"}
READS_ADDRESS = re.compile(r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|headers(\.get\(|\[)[\"']x-forwarded-for|"
                           r"get_client_ip|ipware", re.IGNORECASE)


def test_no_code_reads_the_address_except_the_client_ip_module():
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if (relative.split("/")[0] in {".venv", ".var", "node_modules", "tests", "bench", "drills"}
                or "/tests/" in relative or "/migrations/" in relative or relative in ALLOWED_READERS):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if READS_ADDRESS.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_axes_takes_the_address_from_the_same_function(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"127.0.0.1, {CLIENT}")
    assert settings.AXES_CLIENT_IP_CALLABLE == "vividly.client_ip.client_ip"
    assert get_client_ip_address(request) == CLIENT


@pytest.mark.django_db
def test_operators_can_see_what_a_request_resolved_to(tenant_a, settings, django_user_model):
    settings.TRUSTED_PROXY_COUNT = 1
    operator = django_user_model.objects.create_superuser("ops@vividly.example", "x")
    client = _forged_client("203.0.113.77", real="198.51.100.20")
    client.force_login(operator)
    answer = client.get("/ops/client-ip").json()
    assert answer == {"client_ip": "198.51.100.20", "peer_address": PROXY,
                      "x_forwarded_for": ["203.0.113.77", "198.51.100.20"], "trusted_proxy_count": 1}
    for user in (None, tenant_a.district_admin, tenant_a.teacher):
        other = _forged_client("203.0.113.77")
        if user is not None:
            other.force_login(user)
        assert other.get("/ops/client-ip").status_code == 404
