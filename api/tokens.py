"""API tokens: trade a username and password for a token, or revoke your token.

Programs send the token as ``Authorization: Token <key>``; browsers use their session. The
endpoint is throttled per client address (scope ``auth-token`` in ``REST_FRAMEWORK``) so it
cannot be used to guess passwords.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.errors import error_responses


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")


def token_for(user: Any) -> Token:
    """The user's token, created on first use; the same key until it is revoked."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


def token_revoke(user: Any) -> None:
    Token.objects.filter(user=user).delete()


class TokenApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth-token"

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_create",
        summary="Get an API token for a username and password",
        request=TokenCredentialsSerializer,
        responses={200: TokenSerializer, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = TokenCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Benutzername oder Passwort ist falsch.")]}
            )
        return Response(TokenSerializer({"token": token_for(user).key}).data)

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_destroy",
        summary="Revoke your API token",
        request=None,
        responses={204: None, **error_responses(403, 429)},
    )
    def delete(self, request: Request) -> Response:
        token_revoke(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
