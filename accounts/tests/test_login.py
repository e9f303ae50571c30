"""Page login, landing, remember me, lockout (axes) and the audit trail, at the HTTP level."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import SecurityEvent, User
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SCHOOL_IP = "203.0.113.10"


def login(client, email, password, ip=SCHOOL_IP, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


@pytest.mark.parametrize(("role", "landing"), [
    ("student", "/student/"), ("teacher", "/teacher/"), ("school_admin", "/admin/"),
    ("district_admin", "/admin/"),
])
def test_each_role_lands_on_its_home(client, tenant_a, role, landing):
    response = login(client, getattr(tenant_a, role).email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == landing


def test_safe_next_is_honoured_and_foreign_next_is_not(client, tenant_a):
    response = client.post(f"{LOGIN}?next=/accounts/sessions/",
                           {"username": tenant_a.student.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == "/accounts/sessions/"
    client.logout()
    response = client.post(f"{LOGIN}?next=https://evil.example/",
                           {"username": tenant_a.student.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == "/student/"


def test_email_is_case_insensitive(client, tenant_a):
    assert login(client, tenant_a.student.email.upper(), DEFAULT_PASSWORD).status_code == 302


def test_session_ends_with_browser_unless_remember_me(client, tenant_a):
    login(client, tenant_a.student.email, DEFAULT_PASSWORD)
    assert client.session.get_expire_at_browser_close() is True
    page = client.get(LOGIN)  # already signed in → redirected; the form itself defaults to off
    client.logout()
    page = client.get(LOGIN)
    assert 'name="remember_me"' in page.content.decode()
    assert "checked" not in page.content.decode().split('name="remember_me"')[1].split(">")[0]
    login(client, tenant_a.student.email, DEFAULT_PASSWORD, remember_me="on")
    assert client.session.get_expire_at_browser_close() is False
    assert client.session.get_expiry_age() == 14 * 24 * 3600


def test_logout_ends_the_session(client, tenant_a):
    login(client, tenant_a.teacher.email, DEFAULT_PASSWORD)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/sessions/").status_code == 302  # back to login


def test_fifth_failure_is_answered_sixth_is_locked_and_classmates_still_sign_in(client, tenant_a):
    # given one student mistyping their password from the school's shared address
    victim = tenant_a.student
    for attempt in range(1, 6):
        response = login(client, victim.email, "wrong-password")
        # then attempts 1–5 are checked and answered as failures (200, the form with an error)
        assert response.status_code == 200, attempt
    assert "paused for 15 minutes" in response.content.decode()  # the 5th warns about the lock
    # when they try a 6th time, even with the right password, they are locked out
    locked = login(Client(), victim.email, DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 14 * 60
    assert "Try again in 15 minutes" in locked.content.decode()
    # and 30 classmates behind the same IP still sign in
    for classmate in StudentFactory.create_batch(30, school=tenant_a.school):
        assert login(Client(), classmate.email, DEFAULT_PASSWORD).status_code == 302
    # and the same account from another network is not locked (account + IP)
    assert login(Client(), victim.email, DEFAULT_PASSWORD, ip="198.51.100.7").status_code == 302
    kinds = set(SecurityEvent.objects.filter(target=victim).values_list("kind", flat=True))
    assert {"login_failure", "lockout", "login_success"} <= kinds


def test_success_resets_the_failure_counter(client, tenant_a):
    for _ in range(4):
        login(client, tenant_a.student.email, "nope")
    assert login(client, tenant_a.student.email, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):  # four more failures do not lock: the counter restarted
        assert login(client, tenant_a.student.email, "nope").status_code == 200
    assert login(client, tenant_a.student.email, DEFAULT_PASSWORD).status_code == 302


@override_settings(AXES_IP_FAILURE_LIMIT=12)
def test_credential_stuffing_ip_is_blocked_across_accounts(tenant_a):
    # given an attacker trying one password against many accounts from one IP
    attacker = "192.0.2.66"
    for n in range(12):
        assert login(Client(), f"victim{n}@example.org", "Summer2026!", ip=attacker).status_code == 200
    # then the IP is blocked, even for a real account with the right password
    blocked = login(Client(), tenant_a.teacher.email, DEFAULT_PASSWORD, ip=attacker)
    assert blocked.status_code == 429
    assert "from this network" in blocked.content.decode()
    # but the school network next door is fine
    assert login(Client(), tenant_a.teacher.email, DEFAULT_PASSWORD).status_code == 302


def test_jwt_endpoint_shares_the_lockout(tenant_a):
    api = APIClient(REMOTE_ADDR=SCHOOL_IP)
    url = "/api/v1/auth/token/"
    for _ in range(5):
        assert api.post(url, {"email": tenant_a.student.email, "password": "bad"}, format="json").status_code == 401
    locked = api.post(url, {"email": tenant_a.student.email, "password": DEFAULT_PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) > 0
    # the page login is locked for the same account + IP too
    assert login(Client(), tenant_a.student.email, DEFAULT_PASSWORD).status_code == 429


@pytest.mark.parametrize(("email", "password"), [
    ("", ""),
    ("   ", "x"),
    ("élève@école.fr", "pâss-wörd-✓"),
    ("😀@example.org", "😀"),
    ("a" * 5000 + "@example.org", "p" * 5000),
    ("x@example.org", "p" * 100_000),
    ("nul\x00byte@example.org", "pass\x00word"),
    ("<script>alert(1)</script>", "' OR 1=1 --"),
])
def test_login_form_handles_hostile_input(client, email, password):
    response = login(client, email, password)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_login_page_has_csrf_and_labels(tenant_a):
    client = Client(enforce_csrf_checks=True)
    page = client.get(LOGIN)
    body = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert '<label for="id_username">' in body
    assert '<label for="id_password">' in body
    assert "Content-Security-Policy" in page.headers
    # a POST without the token is refused
    refused = client.post(LOGIN, {"username": tenant_a.student.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 403


BCRYPT12 = {"PASSWORD_HASHERS": ["accounts.hashers.BCryptSHA256PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]}


@override_settings(**BCRYPT12)
def test_passwords_are_bcrypt_with_12_rounds(tenant_a):
    user = User.objects.create_user(email="new.teacher@school-a.edu", password="Lantern-Harbor-88")
    assert user.password.startswith("bcrypt_sha256$$2b$12$")


@override_settings(**BCRYPT12)
def test_older_hashes_are_upgraded_on_login(client, tenant_a):
    # given a user whose password was stored with PBKDF2 (e.g. imported)
    User.objects.filter(pk=tenant_a.teacher.pk).update(
        password=make_password(DEFAULT_PASSWORD, hasher="pbkdf2_sha256"))
    # when they sign in
    assert login(client, tenant_a.teacher.email, DEFAULT_PASSWORD).status_code == 302
    # then the stored hash is bcrypt with 12 rounds
    assert User.objects.get(pk=tenant_a.teacher.pk).password.startswith("bcrypt_sha256$$2b$12$")


def test_password_validators_are_on(client, tenant_a):
    client.force_login(tenant_a.student)
    response = client.post("/accounts/password/change/", {
        "old_password": DEFAULT_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "entirely numeric" in response.content.decode()
