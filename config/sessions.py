"""Django's database sessions, refusing session keys that Django never issues.

Django makes keys from lowercase letters and digits. A forged cookie with other characters
(a NUL byte, say) would otherwise reach the database, where PostgreSQL rejects it with an
error, turning a bad cookie into a server error instead of "not signed in".
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS

_VALID = frozenset(VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        # Django's own rule (at least 8 characters), plus: only characters Django issues.
        return key is not None and len(key) >= 8 and _VALID.issuperset(key)
