"""DRF authentication classes (kept apart from views: DRF imports them while loading its
settings, so they must not import ``rest_framework.views``)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

_TOKEN_KEY = re.compile(r"[0-9a-f]{40}")


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against the hashed tokens of ``api.models.ApiToken``;
    an expired or revoked token is refused like an unknown one. A key that cannot be one of
    ours (40 hex digits) is refused before it reaches the database, which might choke on it
    (NUL bytes)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if not _TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        from api.tokens import token_authenticate  # models load after DRF's settings

        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return token.user, token
