"""The admin is one more door: what staff change there reaches the people in the room live,
through the same services and events as every other door."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from deliberation import circles, services
from deliberation.models import Goal
from kernel.errors import Forbidden
from rooms.replay import events_after
from rooms.snapshots import read_snapshot
from tests.factories import Room
from tests.rooms.conftest import Join
from tests.rooms.support import adb, apply_event

pytestmark = [pytest.mark.django_db(transaction=True)]


def _admin_client() -> Client:
    admin = get_user_model().objects.create_superuser("chef", "chef@example.org", "pw-chef-1")
    client = Client()
    client.force_login(admin)
    return client


def _inline_prefixes(client: Client, url: str) -> list[str]:
    page = client.get(url).content.decode()
    return sorted(set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page)))


def _post_change_form(client: Client, url: str, data: dict[str, Any]) -> Any:
    prefixes = _inline_prefixes(client, url)
    for prefix in prefixes:
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return client.post(url, data)


async def test_renaming_a_goal_in_the_admin_reaches_a_connected_client(
    room: Room, join: Join
) -> None:
    viewer = await join("anonymous")
    expert = await join("expert")
    client = await adb(_admin_client)()
    url = reverse("admin:deliberation_goal_change", args=[room.goal.pk])

    response = await adb(_post_change_form)(
        client, url, {"title": "Sprachkurse für alle Altersgruppen", "order": room.goal.order}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    for socket in (viewer, expert):
        event = await socket.recv_event("goal.updated")
        assert event["data"]["goal"]["title"] == "Sprachkurse für alle Altersgruppen"
        assert event["data"]["changed"] == ["title"]
    goal = await adb(Goal.objects.get)(pk=room.goal.pk)
    assert goal.title == "Sprachkurse für alle Altersgruppen"


async def test_making_a_room_private_in_the_admin_is_heard_in_the_room(
    room: Room, join: Join
) -> None:
    moderator = await join("moderator")
    client = await adb(_admin_client)()
    url = reverse("admin:deliberation_circle_change", args=[room.circle.pk])

    response = await adb(_post_change_form)(client, url, {"title": "Neuer Titel"})

    assert response.status_code == 302, response.content.decode()[:2000]
    event = await moderator.recv_event("room.updated")
    assert event["data"]["room"]["title"] == "Neuer Titel"
    assert event["data"]["room"]["is_public"] is False  # the unchecked box
    assert event["data"]["changed"] == ["is_public", "title"]


def _verify(room: Room, action: Any, *kinds: str) -> None:
    before = read_snapshot(room.circle.pk)
    action()
    after = read_snapshot(room.circle.pk)
    events = events_after(room.circle.pk, before.seq, limit=100)
    assert [json.loads(e.public)["kind"] for e in events] == list(kinds)
    for view in ("public", "moderator"):
        state = json.loads(getattr(before, view))
        for event in events:
            frame = json.loads(getattr(event, view))
            state = apply_event(state, frame["kind"], frame["data"])
        assert state == json.loads(getattr(after, view)), view


def test_a_stale_snapshot_plus_goal_updated_is_the_fresh_snapshot(room: Room) -> None:
    _verify(
        room,
        lambda: services.goal_update(actor=room.moderator, goal=room.goal, title="Neu", order=7),
        "goal.updated",
    )


def test_a_stale_snapshot_plus_room_updated_is_the_fresh_snapshot(room: Room) -> None:
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    _verify(
        room,
        lambda: circles.circle_update(actor=staff, circle=room.circle, title="Anders"),
        "room.updated",
    )


def test_an_unchanged_goal_records_nothing(room: Room) -> None:
    seq = read_snapshot(room.circle.pk).seq
    services.goal_update(actor=room.moderator, goal=room.goal, title=room.goal.title)
    assert read_snapshot(room.circle.pk).seq == seq


@pytest.mark.parametrize("persona", ["expert", "outsider", "anonymous"])
def test_who_may_not_rename_a_goal(room: Room, persona: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if persona == "anonymous" else getattr(room, persona)
    with pytest.raises(Forbidden):
        services.goal_update(actor=actor, goal=room.goal, title="Gekapert")
    assert Goal.objects.get(pk=room.goal.pk).title == room.goal.title


@pytest.mark.parametrize("persona", ["moderator", "expert", "outsider", "anonymous"])
def test_only_staff_change_circle_settings(room: Room, persona: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    actor = AnonymousUser() if persona == "anonymous" else getattr(room, persona)
    with pytest.raises(Forbidden):
        circles.circle_update(actor=actor, circle=room.circle, is_public=False)
    room.circle.refresh_from_db()
    assert room.circle.is_public is True
