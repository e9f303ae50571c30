"""JWT API at the HTTP level: obtain, claims, rotation + blacklisting, logout, revocation, bad tokens."""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
import yaml
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"
ME_URL = "/api/v1/me/"


def obtain(client, user, password=DEFAULT_PASSWORD):
    return client.post(TOKEN_URL, {"email": user.email, "password": password}, format="json")


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_obtain_returns_pair_with_role_and_district_claims(tenant_a):
    response = obtain(APIClient(), tenant_a.teacher)
    assert response.status_code == 200
    access = AccessToken(response.json()["access"])
    assert access["user_id"] == str(tenant_a.teacher.pk)
    assert access["role"] == "teacher"
    assert access["district_id"] == tenant_a.district.pk
    # short-lived: 15 minutes by default
    assert 15 * 60 - 5 <= access["exp"] - access["iat"] <= 15 * 60
    me = bearer(response.json()["access"]).get(ME_URL)
    assert me.status_code == 200
    assert me.json()["email"] == tenant_a.teacher.email


def test_obtain_with_wrong_password_or_unknown_email_is_401(tenant_a):
    client = APIClient()
    assert obtain(client, tenant_a.student, "wrong-password").status_code == 401
    assert client.post(TOKEN_URL, {"email": "nobody@nowhere.org", "password": "x"},
                       format="json").status_code == 401


@pytest.mark.parametrize("payload_case", ["empty", "missing_password", "huge", "unicode", "nul_byte", "not_json"])
def test_obtain_with_bad_input_is_400_or_401_never_500(tenant_a, payload_case):
    payloads = {
        "empty": {},
        "missing_password": {"email": tenant_a.student.email},
        "huge": {"email": "a" * 10_000 + "@x.org", "password": "p" * 10_000},
        "unicode": {"email": "élève@école.fr", "password": "пароль🔒"},
        "nul_byte": {"email": "a\x00b@x.org", "password": "x"},
        "not_json": None,
    }
    client = APIClient()
    if payload_case == "not_json":
        response = client.post(TOKEN_URL, data="{not json", content_type="application/json")
    else:
        response = client.post(TOKEN_URL, payloads[payload_case], format="json")
    assert response.status_code in (400, 401)


def test_refresh_rotates_and_blacklists_the_old_token(tenant_a):
    client = APIClient()
    first = obtain(client, tenant_a.student).json()
    # when the refresh token is used once, a new pair comes back
    rotated = client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh"] != first["refresh"]
    assert AccessToken(second["access"])["role"] == "student"
    # then reusing the old one is refused, and the new one still works
    reused = client.post(REFRESH_URL, {"refresh": first["refresh"]}, format="json")
    assert reused.status_code == 401
    assert client.post(REFRESH_URL, {"refresh": second["refresh"]}, format="json").status_code == 200


def test_logout_revokes_the_given_refresh_token(tenant_a):
    client = APIClient()
    pair = obtain(client, tenant_a.student).json()
    assert client.post(LOGOUT_URL, {"refresh": pair["refresh"]}, format="json").status_code == 204
    assert client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_logout_all_revokes_every_refresh_and_access_token(tenant_a):
    client = APIClient()
    phone = obtain(client, tenant_a.student).json()
    laptop = obtain(client, tenant_a.student).json()
    response = bearer(laptop["access"]).post(LOGOUT_URL, {"all": True}, format="json")
    assert response.status_code == 204
    for pair in (phone, laptop):
        assert client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").status_code == 401
        assert bearer(pair["access"]).get(ME_URL).status_code == 401
    # signing in again works
    fresh = obtain(client, tenant_a.student).json()
    assert bearer(fresh["access"]).get(ME_URL).status_code == 200


def test_logout_all_needs_a_signed_in_user():
    assert APIClient().post(LOGOUT_URL, {"all": True}, format="json").status_code == 401


def test_logout_cannot_revoke_someone_elses_token(tenant_a):
    client = APIClient()
    student = obtain(client, tenant_a.student).json()
    teacher = obtain(client, tenant_a.teacher).json()
    response = bearer(teacher["access"]).post(LOGOUT_URL, {"refresh": student["refresh"]}, format="json")
    assert response.status_code == 401
    assert client.post(REFRESH_URL, {"refresh": student["refresh"]}, format="json").status_code == 200


@pytest.mark.parametrize("change", ["deactivated", "deleted"])
def test_inactive_or_deleted_users_cannot_refresh(tenant_a, change):
    client = APIClient()
    pair = obtain(client, tenant_a.student).json()
    if change == "deactivated":
        User.objects.filter(pk=tenant_a.student.pk).update(is_active=False)
    else:
        User.objects.filter(pk=tenant_a.student.pk).delete()
    assert client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert bearer(pair["access"]).get(ME_URL).status_code == 401


def test_tokens_issued_before_a_password_change_are_rejected(tenant_a):
    client = APIClient()
    pair = obtain(client, tenant_a.student).json()
    user = User.objects.get(pk=tenant_a.student.pk)
    user.set_password("A-brand-new-passphrase-77")
    user.save()
    assert client.post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert bearer(pair["access"]).get(ME_URL).status_code == 401
    fresh = obtain(client, user, "A-brand-new-passphrase-77").json()
    assert bearer(fresh["access"]).get(ME_URL).status_code == 200


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _bad_tokens(valid: str) -> dict[str, str]:
    header, payload, signature = valid.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    tampered = {**claims, "user_id": "1", "role": "district_admin"}
    return {
        "malformed": "not-a-jwt",
        "empty": "",
        "garbage_segments": "a.b.c",
        "tampered_payload": f"{header}.{_b64(tampered)}.{signature}",
        "bad_signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(tampered)}.",
        "very_long": "x" * 20_000,
        "unicode": "ñandú.ü.ß",  # non-ASCII but latin-1, the most a header can carry
    }


BAD_CASES = ["malformed", "empty", "garbage_segments", "tampered_payload", "bad_signature", "alg_none",
             "very_long", "unicode"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_access_tokens_get_401_never_500(tenant_a, case):
    valid = obtain(APIClient(), tenant_a.student).json()["access"]
    response = bearer(_bad_tokens(valid)[case]).get(ME_URL)
    assert response.status_code == 401


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_refresh_tokens_get_400_or_401_never_500(tenant_a, case):
    valid = obtain(APIClient(), tenant_a.student).json()["refresh"]
    response = APIClient().post(REFRESH_URL, {"refresh": _bad_tokens(valid)[case]}, format="json")
    assert response.status_code in (400, 401)
    response = APIClient().post(LOGOUT_URL, {"refresh": _bad_tokens(valid)[case]}, format="json")
    assert response.status_code in (400, 401)


def test_expired_tokens_get_401(tenant_a):
    pair = obtain(APIClient(), tenant_a.student).json()
    with time_machine.travel(timedelta(minutes=16)):
        assert bearer(pair["access"]).get(ME_URL).status_code == 401
    with time_machine.travel(timedelta(days=8)):
        assert APIClient().post(REFRESH_URL, {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_access_token_cannot_be_used_as_refresh(tenant_a):
    pair = obtain(APIClient(), tenant_a.student).json()
    assert APIClient().post(REFRESH_URL, {"refresh": pair["access"]}, format="json").status_code == 401


def test_auth_endpoints_are_in_the_openapi_schema(client, tenant_a):
    client.force_login(tenant_a.teacher)  # the schema is for staff (vividly/api_docs.py)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = json.loads(response.content)["paths"] if response["Content-Type"].startswith(
        "application/json") else None
    if paths is None:

        paths = yaml.safe_load(response.content)["paths"]
    for path in (TOKEN_URL, REFRESH_URL, LOGOUT_URL, ME_URL):
        assert path in paths
