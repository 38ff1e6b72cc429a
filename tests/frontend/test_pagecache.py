"""The anonymous page cache (frontend/pagecache.py): served through the real ASGI application
(``config.asgi``), with real commits (``transactional_db``) so the generation is bumped the
way production bumps it. What a visitor notices: a change shows on the next request; signed-in
people, other languages and responses that set cookies never get someone else's page."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from config.asgi import application
from deliberation import services
from deliberation.models import Goal
from frontend.pagecache import PageCache
from participation.services import contributions
from tests.factories import Room, make_room, make_user
from tests.voting.conftest import open_motion
from voting import services as voting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture(autouse=True)
def _page_cache_on(settings: Any) -> None:
    settings.PAGE_CACHE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-pagecache",
        }
    }


async def get(
    path: str, *, headers: list[tuple[bytes, bytes]] | None = None, app: Any = application
) -> tuple[int, dict[bytes, bytes], str]:
    communicator = HttpCommunicator(
        app, "GET", path, headers=[(b"host", b"testserver"), *(headers or [])]
    )
    response = await communicator.get_response(timeout=10)
    await communicator.wait()
    return response["status"], dict(response["headers"]), response["body"].decode()


async def cached(path: str, **kwargs: Any) -> str:
    """The page as a visitor sees it now, and the proof that the second look was a hit."""
    _, first, body = await get(path, **kwargs)
    _, second, again = await get(path, **kwargs)
    assert second[b"x-cache"] == b"hit", (path, first.get(b"x-cache"))
    assert again == body
    return again


@pytest.fixture
def room(transactional_db: None) -> Room:
    return make_room()


# --- a change shows on the next request -------------------------------------------------------


async def test_a_goal_renamed_through_the_service_shows_on_the_next_request(room: Room) -> None:
    goal_page = reverse("frontend:goal", args=[room.goal.pk])
    for path in ("/", goal_page, "/api/v1/goals/"):
        assert room.goal.title in await cached(path)

    await sync_to_async(services.goal_update)(
        actor=room.moderator, goal=room.goal, title="Ein umbenanntes Ziel"
    )

    for path in ("/", goal_page, "/api/v1/goals/"):
        status, headers, body = await get(path)
        assert status == 200 and headers[b"x-cache"] == b"miss"
        assert "Ein umbenanntes Ziel" in body


async def test_a_comment_in_a_public_room_shows_in_the_action_field_s_count(room: Room) -> None:
    field = await sync_to_async(lambda: room.circle.action_field)()
    page = reverse("frontend:action_field", args=[field.slug])
    assert "0 Kommentare" in await cached(page)

    await sync_to_async(services.comment_post)(
        actor=room.expert, circle=room.circle, goal_id=room.goal.pk, body="Gute Idee."
    )

    assert "1 Kommentar" in (await get(page))[2]


async def test_a_goal_promoted_into_the_concept_shows_in_the_concept_document(
    room: Room,
) -> None:
    document = reverse("voting:concept_document_current")
    assert room.goal.title not in await cached(document)

    @sync_to_async
    def adopt() -> None:
        motion = open_motion(room)
        for expert in (room.expert, room.expert2):
            voting.ballot_cast(actor=expert, motion_id=motion.pk, choice="consent")
        voting.motion_close(actor=room.moderator, motion_id=motion.pk)

    await adopt()

    assert room.goal.title in (await get(document))[2]


async def test_an_approved_idea_shows_on_the_ideas_page(room: Room) -> None:
    ideas = reverse("participation:ideas")
    field = await sync_to_async(lambda: room.circle.action_field)()
    concept = await sync_to_async(lambda: field.concept)()
    assert "Mehr Sprachcafés" not in await cached(ideas)

    @sync_to_async
    def submit_and_approve() -> None:
        citizen, staff = make_user(), make_user(is_staff=True)
        idea = contributions.contribution_submit(
            actor=citizen,
            concept=concept,
            kind="idea",
            title="Mehr Sprachcafés",
            body="In jedem Stadtteil eins.",
            action_field=field,
        )
        contributions.contribution_moderate(
            actor=staff, contribution_id=idea.pk, decision="approve"
        )

    await submit_and_approve()

    assert "Mehr Sprachcafés" in (await get(ideas))[2]


async def test_reading_a_page_does_not_empty_the_cache(room: Room) -> None:
    for path in ("/", reverse("frontend:rooms"), "/api/v1/action-fields/"):
        await cached(path)
    for path in ("/", reverse("frontend:rooms"), "/api/v1/action-fields/"):
        assert (await get(path))[1][b"x-cache"] == b"hit"


# --- never someone else's page ----------------------------------------------------------------


async def test_a_signed_in_person_never_gets_the_cached_page_nor_leaves_theirs(
    room: Room,
) -> None:
    anonymous = await cached("/")
    assert "Angemeldet als" not in anonymous

    @sync_to_async
    def session_of(user: Any) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        return str(session.session_key)

    cookie = (b"cookie", f"sessionid={await session_of(room.expert)}".encode())
    for _ in range(2):
        _, headers, body = await get("/", headers=[cookie])
        assert b"x-cache" not in headers
        assert "Angemeldet als" in body
    _, headers, body = await get("/")
    assert headers[b"x-cache"] == b"hit" and "Angemeldet als" not in body


async def test_a_token_client_is_never_served_from_the_cache(room: Room) -> None:
    await cached("/api/v1/goals/")
    _, headers, _ = await get("/api/v1/goals/", headers=[(b"authorization", b"Token nope")])
    assert b"x-cache" not in headers


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ((b"cookie", b"django_language=en"), '<html lang="en" dir="ltr">'),
        ((b"accept-language", b"en-GB,en;q=0.8"), '<html lang="en" dir="ltr">'),
        ((b"accept-language", b"tr"), '<html lang="tr" dir="ltr">'),
        ((b"accept-language", b"ar"), '<html lang="ar" dir="rtl">'),
        ((b"cookie", b"django_language=uk"), '<html lang="uk" dir="ltr">'),
        ((b"accept-language", b"de-DE"), '<html lang="de" dir="ltr">'),
    ],
)
async def test_each_language_has_its_own_cached_page(
    room: Room, header: tuple[bytes, bytes], expected: str
) -> None:
    await cached("/", headers=[(b"accept-language", b"de")])
    assert expected in await cached("/", headers=[header])
    assert '<html lang="de" dir="ltr">' in await cached("/", headers=[(b"accept-language", b"de")])


async def test_anonymous_pages_carry_no_csrf_token_and_set_no_cookie(room: Room) -> None:
    for path in ("/", reverse("frontend:goal", args=[room.goal.pk]), "/api/v1/goals/"):
        _, headers, body = await get(path)
        assert b"set-cookie" not in headers
        assert "csrfmiddlewaretoken" not in body


async def test_a_response_that_sets_a_cookie_is_never_stored(room: Room) -> None:
    calls: list[str] = []

    def inner(set_cookie: bool) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            calls.append(scope["path"])
            headers = [(b"content-type", b"text/html")]
            if set_cookie:
                headers.append((b"set-cookie", b"csrftoken=abc; Path=/"))
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"page"})

        return app

    for _ in range(2):
        await get("/", app=PageCache(inner(set_cookie=True)))
    assert len(calls) == 2
    for _ in range(2):
        await get(f"/ziele/{room.goal.pk}/", app=PageCache(inner(set_cookie=False)))
    assert len(calls) == 3


async def test_the_language_switch_works_without_a_token(room: Room) -> None:
    @sync_to_async
    def switch() -> Any:
        from django.test import Client

        return Client(enforce_csrf_checks=True).post(
            "/i18n/setlang/", {"language": "en", "next": "/"}
        )

    response = await switch()
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


async def test_a_goal_status_change_bumps_even_without_a_room_event(room: Room) -> None:
    await cached("/")
    await sync_to_async(services.goal_transition)(
        actor=None, goal=room.goal, to_status=Goal.Status.REVISED
    )
    assert (await get("/"))[1][b"x-cache"] == b"miss"
