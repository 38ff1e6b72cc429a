"""HTTP security: sign-in limits, CSP and Permissions-Policy without inline script, idle
sessions, bounded JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from config import security
from tests.factories import PASSWORD, Room, make_user
from voting import services as voting_services

pytestmark = pytest.mark.django_db

# A window boundary (midnight UTC is a multiple of 900 seconds since the epoch).
START = datetime(2030, 3, 4, 0, 0, 10, tzinfo=UTC)
LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche"


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def sign_in(client: Client, username: str, password: str, url: str | None = None) -> Any:
    return client.post(url or reverse("login"), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# --- sign-in limits --------------------------------------------------------------------------


def test_right_password_is_refused_after_too_many_wrong_ones_for_the_account(
    settings: Any,
) -> None:
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 3
    member = make_user("ayse")
    for n in range(3):  # from three addresses: the account counts, wherever the guesses come
        assert sign_in(Client(REMOTE_ADDR=f"10.0.0.{n}"), "ayse", "falsch").status_code == 200

    client = Client(REMOTE_ADDR="198.51.100.7")
    refused = sign_in(client, "ayse", PASSWORD)

    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    assert not signed_in(client)
    # the token endpoint checks passwords through the same gate
    token = client.post(
        "/api/v1/auth/token", {"username": "ayse", "password": PASSWORD}, "application/json"
    )
    assert token.status_code == 400
    # another account is not affected, from the same address
    make_user("bert")
    assert sign_in(client, "bert", PASSWORD).status_code == 302
    assert member.pk != int(client.session[SESSION_KEY])


def test_an_address_that_guesses_many_accounts_is_refused_even_the_right_password(
    settings: Any,
) -> None:
    settings.LOGIN_FAILURE_LIMIT_ADDRESS = 3
    make_user("ayse")
    guesser = Client(REMOTE_ADDR="10.0.0.1")
    for name in ("anna", "bert", "carla"):
        assert sign_in(guesser, name, "falsch").status_code == 200

    refused = sign_in(guesser, "ayse", PASSWORD)
    # X-Forwarded-For is not trusted without NUM_PROXIES: a forged one changes nothing
    forged = guesser.post(
        reverse("login"),
        {"username": "ayse", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert forged.status_code == 429
    assert not signed_in(guesser)
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert sign_in(other, "ayse", PASSWORD).status_code == 302  # other addresses may


def test_behind_a_proxy_the_forwarded_address_is_counted(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT_ADDRESS = 2
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    make_user("ayse")
    proxy = Client(REMOTE_ADDR="172.16.0.2")
    for _ in range(2):
        proxy.post(
            reverse("login"),
            {"username": "nobody", "password": "x"},
            HTTP_X_FORWARDED_FOR="10.0.0.1",
        )

    def attempt(address: str) -> int:
        return (
            Client(REMOTE_ADDR="172.16.0.2")
            .post(
                reverse("login"),
                {"username": "ayse", "password": PASSWORD},
                HTTP_X_FORWARDED_FOR=address,
            )
            .status_code
        )

    assert attempt("10.0.0.1") == 429
    assert attempt("10.0.0.3") == 302  # another citizen behind the same proxy


def test_admin_sign_in_is_limited_too(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 3
    make_user("chef", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(3):
        sign_in(client, "chef", "falsch", url="/admin/login/")

    refused = sign_in(client, "chef", PASSWORD, url="/admin/login/")

    assert LOCKED in refused.content.decode()
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still to the sign-in


def test_a_lock_expires_when_its_window_has_passed(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 3
    settings.LOGIN_FAILURE_WINDOW = 900
    make_user("ayse")
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(3):
            sign_in(Client(), "ayse", "falsch")
        assert sign_in(Client(), "ayse", PASSWORD).status_code == 429
        traveller.move_to(START + timedelta(seconds=900))  # the next window: still refused
        assert sign_in(Client(), "ayse", PASSWORD).status_code == 429
        traveller.move_to(START + timedelta(seconds=1800))
        client = Client()
        assert sign_in(client, "ayse", PASSWORD).status_code == 302
        assert signed_in(client)


def test_a_few_wrong_passwords_do_not_lock_anyone(settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT_ACCOUNT = 3
    make_user("ayse")
    client = Client()
    for _ in range(2):
        sign_in(client, "ayse", "falsch")
    assert sign_in(client, "ayse", PASSWORD).status_code == 302


# --- headers and no inline script ------------------------------------------------------------


class _ScriptFinder(HTMLParser):
    """Every piece of HTML that would run script inline."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.scripts = 0
        self._in_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            self.scripts += 1
            kind = (values.get("type") or "").lower()
            if not values.get("src") and kind not in ("application/json", "application/ld+json"):
                self.inline.append("<script> without src")


def inline_script(html: str) -> list[str]:
    finder = _ScriptFinder()
    finder.feed(html)
    return finder.inline


@pytest.fixture
def pages(room: Room) -> dict[str, Client]:
    """Every main page, with a client that may see it."""
    motion = voting_services.motion_open(
        actor=room.moderator, circle=room.circle, goal_id=room.goal.pk, method="consent"
    )
    member = Client()
    member.force_login(room.moderator)
    staff = Client()
    staff.force_login(make_user(is_staff=True, is_superuser=True))
    anonymous = Client()
    field = room.circle.action_field
    return {
        "/": anonymous,
        f"/handlungsfelder/{field.slug}/": anonymous,
        f"/ziele/{room.goal.pk}/": anonymous,
        "/raeume/": anonymous,
        f"/raeume/{room.circle.slug}/": member,
        f"/raeume/{room.circle.slug}/abstimmungen/": member,
        f"/abstimmungen/{motion.pk}/": member,
        "/konzept/": anonymous,
        "/anmelden/": anonymous,
        "/beteiligung/": anonymous,
        "/beteiligung/registrieren/": anonymous,
        "/beteiligung/ideen/": anonymous,
        "/admin/login/": anonymous,
        "/admin/": staff,
        "/admin/auth/user/": staff,
        "/api/v1/docs/": anonymous,
        "/api/v1/concepts/": anonymous,
    }


def test_every_main_page_has_the_policies_and_no_inline_script(pages: dict[str, Client]) -> None:
    for path, client in pages.items():
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
        csp = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["script-src"] == "'self'", path
        assert "unsafe-inline" not in directives["script-src"]
        assert "'self'" in directives["connect-src"]
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "camera=()" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        assert inline_script(response.content.decode()) == [], path


def test_the_api_docs_load_their_start_script_from_a_url() -> None:
    page = Client().get("/api/v1/docs/")
    assert b"<script src=" in page.content
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_room_sockets_of_the_same_host_are_allowed(settings: Any) -> None:
    settings.CSP_EXTRA_CONNECT_SRC = ["wss://live.example.org"]
    plain = Client().get("/anmelden/")["Content-Security-Policy"]
    secure = Client().get("/anmelden/", secure=True)["Content-Security-Policy"]
    assert "connect-src 'self' ws://testserver wss://live.example.org;" in plain
    assert "connect-src 'self' wss://testserver wss://live.example.org;" in secure


def test_inline_script_is_found_by_the_check() -> None:
    assert inline_script("<script>alert(1)</script>") == ["<script> without src"]
    assert inline_script('<button onclick="x()">') == ["<button onclick=…>"]
    assert inline_script('<a href="javascript:x()">') == ["<a href=javascript:…>"]
    assert inline_script('<script src="/static/a.js"></script>') == []
    assert inline_script('<script type="application/json" id="d">{}</script>') == []


# --- idle sessions ---------------------------------------------------------------------------


def is_signed_in(client: Client) -> bool:
    # The sign-in page sends those who are signed in on (redirect_authenticated_user).
    return client.get(reverse("login")).status_code == 302


def test_an_idle_session_is_signed_out(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = 8 * 3600
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(make_user())
        traveller.shift(timedelta(hours=7, minutes=59))
        assert is_signed_in(client)  # active: the clock starts again
        traveller.shift(timedelta(hours=7, minutes=59))
        assert is_signed_in(client)
        traveller.shift(timedelta(hours=8, seconds=1))
        assert not is_signed_in(client)
        assert not signed_in(client)


def test_a_session_ends_at_its_age_however_active(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = 8 * 3600
    settings.SESSION_COOKIE_AGE = 24 * 3600
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(make_user())
        for _ in range(23):
            traveller.shift(timedelta(hours=1))
            assert is_signed_in(client)
        traveller.shift(timedelta(hours=1))
        assert not is_signed_in(client)


def test_activity_is_written_at_most_once_a_minute() -> None:
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(make_user())
        key = client.session.session_key
        first = Session.objects.get(session_key=key).expire_date
        traveller.shift(timedelta(seconds=30))
        assert is_signed_in(client)
        assert Session.objects.get(session_key=key).expire_date == first
        traveller.shift(timedelta(seconds=31))
        assert is_signed_in(client)
        assert Session.objects.get(session_key=key).expire_date > first


def test_the_session_row_expires_at_the_idle_deadline(settings: Any) -> None:
    """The deadline is the session's own expiry, which is what a WebSocket's session
    lookup honours (tests/rooms/test_idle_session.py connects one)."""
    settings.SESSION_IDLE_TIMEOUT = 3600
    client = Client()
    with time_machine.travel(START, tick=False):
        client.force_login(make_user())
    row = Session.objects.get(session_key=client.session.session_key)
    assert row.expire_date == START.replace(microsecond=0) + timedelta(hours=1)
    assert row.get_decoded()[security.ACTIVITY_KEY] == int(START.timestamp())


# --- JSON bodies -----------------------------------------------------------------------------

SIGN_UP_API = "/api/v1/accounts/sign-up/"


def post_json(body: str) -> Any:
    return Client().post(SIGN_UP_API, body, content_type="application/json")


def nested(depth: int) -> str:
    return '{"email": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [33, 5000, 200_000])
def test_deeply_nested_json_is_refused_with_a_clear_400(depth: int) -> None:
    response = post_json(nested(depth))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "verschachtelt" in body["detail"]


def test_json_within_the_depth_reaches_the_view() -> None:
    response = post_json(nested(32))
    assert response.status_code == 400
    assert "email" in response.json()  # the serializer's verdict, not the parser's


def test_a_json_body_over_the_limit_is_refused(settings: Any) -> None:
    settings.API_JSON_MAX_BYTES = 2048
    response = post_json(json.dumps({"email": "a@example.org", "name": "x" * 4000}))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "2048" in response.json()["detail"]


def test_malformed_json_is_a_parse_error() -> None:
    for body in ("{", '{"a": NaN}', b"\xff".decode("latin-1")):
        response = post_json(body)
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
