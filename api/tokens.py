"""API tokens: trade a username and password for a token, list your tokens, revoke them.

Programs send the token as ``Authorization: Token <key>``; browsers use their session. A token
is stored hashed (``api.models.ApiToken``: prefix and SHA-256 digest), so its secret is shown
once, in the answer that creates it. Every token expires after ``API_TOKEN_LIFETIME_DAYS``
(docs/operations.md) and can be revoked by its owner here or on the account page. The create
endpoint is throttled per client address (scope ``auth-token`` in ``REST_FRAMEWORK``) so it
cannot be used to guess passwords.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api.errors import error_responses
from api.fields import UtcDateTimeField
from api.models import ApiToken
from api.pagination import Pagination, paginated

PREFIX_LENGTH = 8
# Recording every use would write on every request; once a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


# --- services (the one writer of tokens) ------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # the secret: shown once, never stored


def token_create(user: Any, *, name: str = "") -> IssuedToken:
    """A new token for ``user``, valid for ``API_TOKEN_LIFETIME_DAYS``."""
    key = secrets.token_hex(20)  # 40 hex digits, the format the authentication expects
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[:PREFIX_LENGTH],
        digest=digest_of(key),
        created_at=now,
        expires_at=now + timedelta(days=int(settings.API_TOKEN_LIFETIME_DAYS)),
    )
    return IssuedToken(token=token, key=key)


def token_authenticate(key: str) -> ApiToken | None:
    """The valid (unexpired, active user's) token with this secret, its use recorded."""
    token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
    if token is None or token.is_expired or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def token_revoke(user: Any, token_id: int | None = None) -> int:
    """Revoke one of ``user``'s tokens, or all of them; how many were revoked."""
    with transaction.atomic():
        doomed = tokens_of(user)
        if token_id is not None:
            doomed = doomed.filter(pk=token_id)
        deleted, _rows = doomed.delete()
    return deleted


def tokens_prune() -> int:
    """Delete tokens that expired (the scheduled clean-up)."""
    deleted, _rows = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- the REST door --------------------------------------------------------------------------


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="A label for the token, e.g. the script that uses it.",
    )


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The first characters of the secret.")
    created_at = UtcDateTimeField()
    expires_at = UtcDateTimeField()
    last_used_at = UtcDateTimeField(allow_null=True, help_text="To the minute.")


class TokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        help_text="Send as `Authorization: Token <token>`. Shown only in this answer."
    )


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
        summary="Get a new API token for a username and password",
        description="Each call issues a new token; its secret is in this answer only.",
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
        issued = token_create(user, name=data.validated_data.get("name", ""))
        # The secret next to the caller's input: never compressed (BREACH), never cached.
        return Response(
            _issued_body(issued),
            headers={"Content-Encoding": "identity", "Cache-Control": "no-store"},
        )

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token_destroy",
        summary="Revoke all your API tokens",
        request=None,
        responses={204: None, **error_responses(401, 429)},
    )
    def delete(self, request: Request) -> Response:
        token_revoke(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _issued_body(issued: IssuedToken) -> dict[str, Any]:
    return dict(TokenSerializer({**_row(issued.token), "token": issued.key}).data)


def _row(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }


class TokenListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        tags=["auth"],
        operation_id="auth_tokens_list",
        summary="Your API tokens (prefix only, never the secret)",
        responses={200: ApiTokenSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request,
            self,
            tokens_of(request.user),
            lambda page: ApiTokenSerializer([_row(token) for token in page], many=True).data,
        )


class TokenDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        operation_id="auth_tokens_destroy",
        summary="Revoke one of your API tokens",
        request=None,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request: Request, token_id: int) -> Response:
        get_object_or_404(tokens_of(request.user), pk=token_id)
        token_revoke(request.user, token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
