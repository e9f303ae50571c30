"""JWT issuing and rotation (simplejwt), with the claims and revocation rules Vividly needs.

Claims: `user_id`, `role`, `district_id` and `tv` (the user's token_version). Bumping
`User.token_version` (password change, sign out everywhere, deactivation) makes every earlier
access and refresh token fail at once; refresh tokens are also blacklisted when rotated or revoked.
"""

from __future__ import annotations

from django.db import transaction
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from .models import User

TOKEN_VERSION_CLAIM = "tv"  # noqa: S105 (a claim name, not a secret)


def issue_tokens(user: User) -> RefreshToken:
    """A new refresh token (recorded as outstanding) carrying role, district and token version."""
    refresh = RefreshToken.for_user(user)
    refresh["role"] = user.role
    refresh["district_id"] = user.district_id
    refresh[TOKEN_VERSION_CLAIM] = user.token_version
    return refresh


def user_for_token(token) -> User:
    """The active user a token belongs to, if the token is still current for them; else 401."""
    user_id = token.get(api_settings.USER_ID_CLAIM)
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
        raise AuthenticationFailed("No active account for this token.", code="no_active_account")
    if is_revoked(token, user):
        raise AuthenticationFailed("This token was revoked. Sign in again.", code="token_revoked")
    return user


def is_revoked(token, user: User) -> bool:
    """Our tokens carry "tv" (exact); tokens minted elsewhere without it are judged by "iat"."""
    version = token.get(TOKEN_VERSION_CLAIM)
    if version is not None:
        return version != user.token_version
    if user.tokens_revoked_at is None:
        return False
    return int(token.get("iat", 0)) < int(user.tokens_revoked_at.timestamp())


def parse_refresh(raw: str) -> RefreshToken:
    """Decode and verify (signature, expiry, blacklist) a refresh token, else InvalidToken (401)."""
    try:
        return RefreshToken(raw)
    except TokenError as exc:
        raise InvalidToken({"detail": str(exc), "code": "token_not_valid"}) from exc


@transaction.atomic
def blacklist_once(refresh: RefreshToken) -> None:
    """Blacklist a refresh token; if it already was (a concurrent reuse), refuse with 401."""
    jti = refresh[api_settings.JTI_CLAIM]
    outstanding = OutstandingToken.objects.select_for_update(of=("self",)).filter(jti=jti).first()
    if outstanding is None:
        outstanding = OutstandingToken.objects.create(
            jti=jti, token=str(refresh), user_id=refresh.get(api_settings.USER_ID_CLAIM),
            created_at=refresh.current_time, expires_at=_expiry(refresh))
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise InvalidToken({"detail": "Token is blacklisted", "code": "token_not_valid"})


def _expiry(refresh: RefreshToken):
    return datetime_from_epoch(refresh["exp"])


def rotate(raw: str) -> RefreshToken:
    """Exchange a refresh token for a new one; the old one is blacklisted and cannot be reused."""
    refresh = parse_refresh(raw)
    try:
        user = user_for_token(refresh)
    except AuthenticationFailed:
        blacklist_once(refresh)
        raise
    blacklist_once(refresh)
    return issue_tokens(user)
