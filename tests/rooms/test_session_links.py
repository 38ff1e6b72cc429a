"""The session's links: the members' video conference (never to viewers, not even in the
room's snapshot) and the public livestream; and the projector page's door."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from deliberation import circles
from kernel.errors import Forbidden, Invalid
from rooms.snapshots import read_snapshot
from tests.factories import Room
from tests.rooms.test_snapshots import verify_action

pytestmark = [pytest.mark.django_db]

JITSI = "https://meet.jit.si/konsens-bildung-sprache"
STREAM = "https://stream.example.org/live"


def _client(room: Room, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(room, persona))
    return client


def _set_links(room: Room, **links: Any) -> None:
    circles.circle_update(actor=room.moderator, circle=room.circle, **links)


@pytest.mark.parametrize("persona", ["moderator", "expert", "drafter"])
def test_members_get_the_video_link(room: Room, persona: str) -> None:
    _set_links(room, video_url=JITSI)
    response = _client(room, persona).get(reverse("frontend:room_video", args=[room.circle.slug]))
    assert response.status_code == 200
    assert response.json() == {"video_url": JITSI}


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_viewers_never_get_the_video_link(room: Room, persona: str) -> None:
    _set_links(room, video_url=JITSI)
    response = _client(room, persona).get(reverse("frontend:room_video", args=[room.circle.slug]))
    assert response.status_code == 403
    assert JITSI not in response.content.decode()


def test_the_snapshot_says_only_that_there_is_a_video_conference(room: Room) -> None:
    verify_action(
        room, lambda: _set_links(room, video_url=JITSI, livestream_url=STREAM), "room.updated"
    )
    snapshot = read_snapshot(room.circle.pk)
    for view in (snapshot.public, snapshot.moderator):
        assert JITSI not in view
        state = json.loads(view)["room"]
        assert state["has_video"] is True
        assert state["livestream_url"] == STREAM


@pytest.mark.parametrize(
    "url", ["http://meet.jit.si/x", "javascript:alert(1)", "meet.jit.si/x", "https://", 5]
)
def test_a_link_must_be_https(room: Room, url: Any) -> None:
    with pytest.raises(Invalid):
        _set_links(room, video_url=url)
    with pytest.raises(Invalid):
        _set_links(room, livestream_url=url)
    room.circle.refresh_from_db()
    assert (room.circle.video_url, room.circle.livestream_url) == ("", "")


def test_an_empty_link_removes_it(room: Room) -> None:
    _set_links(room, video_url=JITSI)
    _set_links(room, video_url="")
    room.circle.refresh_from_db()
    assert room.circle.video_url == ""


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider"])
def test_only_moderators_and_staff_set_the_links(room: Room, persona: str) -> None:
    with pytest.raises(Forbidden):
        circles.circle_update(actor=getattr(room, persona), circle=room.circle, video_url=JITSI)
    room.circle.refresh_from_db()
    assert room.circle.video_url == ""


def test_staff_set_the_links_too(room: Room, django_user_model: Any) -> None:
    staff = django_user_model.objects.create_user("staff-x", is_staff=True)
    circles.circle_update(actor=staff, circle=room.circle, livestream_url=STREAM)
    room.circle.refresh_from_db()
    assert room.circle.livestream_url == STREAM


# --- the projector page --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["moderator", "expert", "drafter", "outsider", "anonymous"])
def test_everyone_sees_the_projector_of_a_public_room(room: Room, persona: str) -> None:
    response = _client(room, persona).get(reverse("frontend:projector", args=[room.circle.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="/static/frontend/room/projector.js"' in page or "projector.js" in page
    assert "<script>" not in page  # no inline script: the CSP allows 'self' only
    assert 'id="projector-data"' in page


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_a_private_rooms_projector_is_for_members_only(private_room: Room, persona: str) -> None:
    response = _client(private_room, persona).get(
        reverse("frontend:projector", args=[private_room.circle.slug])
    )
    assert response.status_code in (302, 403)


def test_a_private_rooms_projector_shows_to_its_members(private_room: Room) -> None:
    response = _client(private_room, "expert").get(
        reverse("frontend:projector", args=[private_room.circle.slug])
    )
    assert response.status_code == 200


def test_an_unknown_rooms_projector_is_not_found(room: Room) -> None:
    assert Client().get("/raeume/gibt-es-nicht/projektion/").status_code == 404
