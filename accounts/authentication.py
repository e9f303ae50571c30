"""DRF authentication: simplejwt access tokens that also die when the user's tokens are revoked."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from .tokens import user_for_token


class VividlyJWTAuthentication(JWTAuthentication):
    """Bearer JWT; rejects tokens of inactive/deleted users and tokens older than a revocation."""

    def get_user(self, validated_token):
        return user_for_token(validated_token)


class VividlyJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.VividlyJWTAuthentication"
    name = "jwtAuth"
