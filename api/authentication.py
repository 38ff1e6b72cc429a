"""DRF authentication classes (kept apart from views: DRF imports them while loading its
settings, so they must not import ``rest_framework.views``)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

_TOKEN_KEY = re.compile(r"[0-9a-f]{40}")


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``; a key that cannot be one of ours (DRF issues 40 hex
    digits) is refused before it reaches the database, which might choke on it (NUL bytes)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if not _TOKEN_KEY.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
