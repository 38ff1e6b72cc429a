"""Failed sign-ins are counted per account and per client address; past the limit, every
further attempt is refused, the right password included, until the window has passed.

One mechanism for every door that checks a password: the sign-in page, the admin's sign-in
and the API token endpoint all call ``django.contrib.auth.authenticate``. Failures are
counted from Django's ``user_login_failed`` signal; the refusal is ``LoginLimitBackend``,
first in ``AUTHENTICATION_BACKENDS``, which raises ``PermissionDenied`` before any backend
looks at the password. The forms ask first, so a person sees why (a 429 on the sign-in page).

Counts live in Django's default cache (Redis when ``REDIS_URL`` is set, so all processes share
them), in fixed windows of ``LOGIN_FAILURE_WINDOW`` seconds on the server's clock: a key that
reached its limit in one window stays refused for the rest of it and the whole next one. Keys
are hashed, so addresses and user names never appear in the cache as they are. A locked
account is locked for every address and an unknown user name counts like a known one, so the
refusal tells nothing about which accounts exist.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, user_login_failed
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.forms import Form
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import ngettext

from participation.web import client_address

LOCKED = "locked"


def _window() -> int:
    return int(settings.LOGIN_FAILURE_WINDOW)


def _subjects(request: Any, username: Any) -> list[tuple[str, str, int]]:
    """(scope, key, limit) of one attempt: its account and, when known, its address."""
    subjects = []
    if isinstance(username, str) and username.strip():
        subjects.append(
            ("account", username.strip().casefold(), int(settings.LOGIN_FAILURE_LIMIT_ACCOUNT))
        )
    address = client_address(request) if request is not None else ""
    if address:
        subjects.append(("address", address, int(settings.LOGIN_FAILURE_LIMIT_ADDRESS)))
    return subjects


def _key(scope: str, key: str, window_start: int) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"login:failures:{scope}:{digest}:{window_start}"


def _now() -> int:
    return int(timezone.now().timestamp())


def locked_for(request: Any, username: Any) -> int | None:
    """Seconds until an attempt for ``username`` from ``request``'s address may be tried
    again, or None when it may be tried now."""
    window = _window()
    now = _now()
    start = now - now % window
    waits = []
    for scope, key, limit in _subjects(request, username):
        counts = cache.get_many([_key(scope, key, start), _key(scope, key, start - window)])
        if counts.get(_key(scope, key, start), 0) >= limit:
            waits.append(start + 2 * window - now)
        elif counts.get(_key(scope, key, start - window), 0) >= limit:
            waits.append(start + window - now)
    return max(waits) if waits else None


def record_failure(request: Any, username: Any) -> None:
    window = _window()
    now = _now()
    start = now - now % window
    for scope, key, _limit in _subjects(request, username):
        cache_key = _key(scope, key, start)
        # the timeout only collects garbage; the window's start in the key decides
        if not cache.add(cache_key, 1, timeout=2 * window + 5):
            try:
                cache.incr(cache_key)
            except ValueError:  # expired between add and incr
                cache.set(cache_key, 1, timeout=2 * window + 5)


@receiver(user_login_failed, dispatch_uid="config.logins.count_failure")
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    record_failure(request, _username(credentials))


def _username(credentials: dict[str, Any]) -> Any:
    field = get_user_model().USERNAME_FIELD
    return credentials.get(field, credentials.get("username"))


class LoginLimitBackend:
    """Authenticates nobody; refuses every attempt of a locked account or address, so no
    later backend checks the password (``authenticate`` stops at ``PermissionDenied``).

    Deliberately no ``get_user`` (nor ``BaseBackend``): Django picks the first backend that
    has one for ``force_login`` and for sessions, and this one never holds a user."""

    def authenticate(self, request: Any, username: Any = None, **credentials: Any) -> None:
        if username is None:
            username = credentials.get(get_user_model().USERNAME_FIELD)
        if locked_for(request, username) is not None:
            raise PermissionDenied("too many failed sign-ins")
        return None


def locked_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in %(minutes)d "
        "Minute erneut.",
        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in %(minutes)d "
        "Minuten erneut.",
        minutes,
    ) % {"minutes": minutes}


class _LimitedMixin(Form):
    """Say why before the password is even looked at."""

    request: Any

    def clean(self) -> dict[str, Any]:
        wait = locked_for(self.request, self.cleaned_data.get("username"))
        if wait is not None:
            raise ValidationError(locked_message(wait), code=LOCKED)
        return super().clean() or self.cleaned_data


class LimitedAuthenticationForm(_LimitedMixin, AuthenticationForm):
    pass


class LimitedAdminAuthenticationForm(_LimitedMixin, AdminAuthenticationForm):
    pass


class LimitedLoginView(LoginView):
    """The sign-in page: a locked attempt is answered with 429 and the form's message."""

    authentication_form = LimitedAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", LOCKED):
            response.status_code = 429
        return response
