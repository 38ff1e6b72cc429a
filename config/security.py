"""HTTP security that Django 5.2 does not ship: a Content-Security-Policy and a
Permissions-Policy on every response, and sessions that end when they sit idle.

**Headers.** Scripts only from our own origin (``script-src 'self'``): no template has an
inline script or event handler, data reaches the ES modules through ``data-`` attributes.
Styles keep ``'unsafe-inline'``: Django's admin and the API docs (Swagger UI) write style
attributes and a ``<style>`` block we cannot change, and a ``style`` attribute cannot run
code. WebSockets need ``connect-src`` with the page's own ``ws:``/``wss:`` origin (not every
browser counts it as ``'self'``); ``CSP_EXTRA_CONNECT_SRC`` adds more origins.

**Idle sessions.** A signed-in session records its last activity at most once a minute
(``ACTIVITY_RESOLUTION``, so not every request writes the session) and expires
``SESSION_IDLE_TIMEOUT`` seconds after it, and at the latest ``SESSION_COOKIE_AGE`` seconds
after signing in. The deadline is the session's own expiry (``set_expiry``), i.e. the
``expire_date`` of its database row: a WebSocket that connects with an idle session finds no
session at all and is anonymous, without any code in the socket path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.core.exceptions import DisallowedHost
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

ACTIVITY_KEY = "_konsens_activity"  # epoch seconds of the last recorded activity
SIGNED_IN_KEY = "_konsens_signed_in"  # epoch seconds of the sign-in
ACTIVITY_RESOLUTION = 60  # seconds: activity is recorded at most this often

Middleware = Callable[[HttpRequest], HttpResponse]


def content_security_policy(request: HttpRequest) -> str:
    connect = ["'self'"]
    try:
        host = request.get_host()
    except DisallowedHost:
        host = ""
    if host:
        connect.append(f"{'wss' if request.is_secure() else 'ws'}://{host}")
    connect += [origin for origin in settings.CSP_EXTRA_CONNECT_SRC if origin not in connect]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": connect,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    policy = "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())
    if settings.CSP_REPORT_URI:
        policy += f"; report-uri {settings.CSP_REPORT_URI}"
    return policy


class SecurityHeadersMiddleware:
    """Content-Security-Policy (or its ``-Report-Only`` twin with ``CSP_REPORT_ONLY``) and
    Permissions-Policy; a response that brings its own keeps it."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        if header not in response:
            response[header] = content_security_policy(request)
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response


# --- idle sessions -------------------------------------------------------------------------


def _now() -> int:
    return int(time.time())


def session_is_over(session: Any, now: int) -> bool:
    """Idle for ``SESSION_IDLE_TIMEOUT`` or signed in longer than ``SESSION_COOKIE_AGE``."""
    last = session.get(ACTIVITY_KEY)
    started = session.get(SIGNED_IN_KEY)
    idle = int(settings.SESSION_IDLE_TIMEOUT)
    if idle and isinstance(last, int) and now - last >= idle:
        return True
    return isinstance(started, int) and now - started >= int(settings.SESSION_COOKIE_AGE)


def record_activity(session: Any, now: int, *, force: bool = False) -> None:
    """Stamp the activity and move the session's expiry to the earlier of the idle deadline
    and the end of its lifetime; skipped when the last stamp is younger than a minute."""
    last = session.get(ACTIVITY_KEY)
    if not force and isinstance(last, int) and 0 <= now - last < ACTIVITY_RESOLUTION:
        return
    started = session.get(SIGNED_IN_KEY)
    if not isinstance(started, int) or force:
        started = now
        session[SIGNED_IN_KEY] = started
    session[ACTIVITY_KEY] = now
    deadline = started + int(settings.SESSION_COOKIE_AGE)
    idle = int(settings.SESSION_IDLE_TIMEOUT)
    if idle:
        deadline = min(deadline, now + idle)
    session.set_expiry(datetime.fromtimestamp(deadline, tz=UTC))


@receiver(user_logged_in, dispatch_uid="config.security.stamp_sign_in")
def _stamp_sign_in(sender: Any, request: Any = None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        record_activity(session, _now(), force=True)


class IdleSessionMiddleware:
    """Signs out a session that is over (see ``session_is_over``) before the view runs, and
    records the activity of a signed-in one after it. Place after AuthenticationMiddleware."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session and session_is_over(session, _now()):
            logout(request)
        response = self.get_response(request)
        if SESSION_KEY in session:  # still (or newly) signed in after the view
            record_activity(session, _now())
        return response
