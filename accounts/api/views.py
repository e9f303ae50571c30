"""Auth API: JWT obtain / refresh (rotating, blacklisting) / logout, and the signed-in profile."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, tokens
from accounts.models import SecurityEvent
from accounts.ratelimits import AuthIPThrottle
from vividly.api_errors import ErrorSerializer

from .serializers import (
    LogoutSerializer,
    MeSerializer,
    TokenObtainSerializer,
    TokenPairSerializer,
    TokenRefreshSerializer,
)

_UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description="Bad credentials or token.")
_INVALID = OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: {field: [messages]}.")  # issue 11
_TOO_MANY = OpenApiResponse(ErrorSerializer, description="Locked out or rate limited (see Retry-After).")


class MeView(generics.RetrieveAPIView):
    """The signed-in user's own profile."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class _AuthView(APIView):
    authentication_classes = ()
    permission_classes = (permissions.AllowAny,)
    throttle_classes = (AuthIPThrottle,)

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenObtainView(_AuthView):
    """Exchange email + password for an access token (short-lived) and a refresh token."""

    @extend_schema(request=TokenObtainSerializer, auth=[],
                   responses={200: TokenPairSerializer, 400: _INVALID, 401: _UNAUTHORIZED,
                              429: _TOO_MANY})
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request
        http_request.vividly_login_channel = "api"
        # axes reads and flags the Django HttpRequest (its middleware turns a lockout into a 429).
        user = authenticate(http_request, email=serializer.validated_data["email"].strip(),
                            password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            raise AuthenticationFailed("No active account found with the given credentials.",
                                       code="no_active_account")
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        refresh = tokens.issue_tokens(user)
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class TokenRefreshView(_AuthView):
    """Rotate a refresh token: a new pair comes back and the old refresh token stops working."""

    @extend_schema(request=TokenRefreshSerializer, auth=[],
                   responses={200: TokenPairSerializer, 400: _INVALID, 401: _UNAUTHORIZED,
                              429: _TOO_MANY})
    def post(self, request):
        serializer = TokenRefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = tokens.rotate(serializer.validated_data["refresh"])
        return Response({"access": str(refresh.access_token), "refresh": str(refresh)})


class LogoutView(APIView):
    """Revoke one refresh token, or (`all: true`, signed in) every session and token of the user."""

    permission_classes = (permissions.AllowAny,)
    throttle_classes = (AuthIPThrottle,)

    @extend_schema(request=LogoutSerializer,
                   responses={204: OpenApiResponse(description="Revoked."), 400: _INVALID,
                              401: _UNAUTHORIZED})
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        if serializer.validated_data.get("all"):
            if user is None:
                raise NotAuthenticated("Sign in to revoke all of your sessions.")
            services.sign_out_everywhere(actor=user, user=user, request=request._request)
            return Response(status=status.HTTP_204_NO_CONTENT)
        refresh = tokens.parse_refresh(serializer.validated_data["refresh"])
        owner = tokens.user_for_token(refresh) if user is None else user
        if str(refresh.get("user_id")) != str(owner.pk):
            raise AuthenticationFailed("This refresh token belongs to another account.", code="token_not_valid")
        tokens.blacklist_once(refresh)
        services.record_event(kind=SecurityEvent.Kind.TOKEN_REVOKED, request=request._request,
                              actor=owner, target=owner)
        return Response(status=status.HTTP_204_NO_CONTENT)
