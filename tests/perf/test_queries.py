"""No N+1 anywhere a visitor or a room reads many rows: the public pages, the read-only API
and the room's snapshot cost the same number of SQL queries for a handful of goals and
comments as for many more of them, by more authors, with replies and hidden ones.

(``tests/api/test_queries.py`` and ``tests/frontend/test_pages.py`` grow goals, fields and
circles; these tests grow the comments as well, where every page and list shows them.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deliberation import services
from deliberation.models import Goal, Membership
from rooms.snapshots import read_snapshot
from tests.factories import Room, make_circle, make_field, make_goal, make_user

pytestmark = pytest.mark.django_db

_keys = iter(range(1_000_000))


def queries(read: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def comment(room: Room, goal: Goal, author: Any, *, reply_to: int | None = None) -> int:
    posted, _created = services.comment_post(
        actor=author,
        circle=room.circle,
        goal_id=goal.pk,
        body=f"Beitrag **{next(_keys)}**",
        client_key=f"perf-{next(_keys)}",
        reply_to=reply_to,
    )
    return posted.pk


def discuss(room: Room, goal: Goal, *, rounds: int) -> None:
    """Comments by every member role, replies to them, and one hidden comment."""
    authors = [room.moderator, room.expert, room.expert2, room.drafter]
    for _ in range(rounds):
        for author in authors:
            parent = comment(room, goal, author)
            comment(room, goal, room.expert, reply_to=parent)
    hidden = comment(room, goal, room.expert2)
    services.comment_set_visibility(
        actor=room.moderator, circle=room.circle, comment_id=hidden, hidden=True, reason="Test"
    )


def grow(room: Room, *, goals: int, rounds: int) -> None:
    """More goals in the room's field (in discussion, with a second version), each discussed,
    and more discussion of the goal that was there."""
    field = room.circle.action_field
    discuss(room, room.goal, rounds=rounds)
    for n in range(goals):
        goal = make_goal(field, title=f"Weiteres Ziel {n}")
        services.goal_version_create(actor=room.drafter, goal=goal, text="Neue Fassung.")
        discuss(room, goal, rounds=rounds)


def same_queries(room: Room, read: Callable[[], Any]) -> None:
    # A little of everything first, so every query a page makes for comments already runs.
    grow(room, goals=1, rounds=1)
    few = queries(read)
    grow(room, goals=4, rounds=3)
    assert queries(read) == few


def get(client: Client, url: str) -> Callable[[], None]:
    def read() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]

    return read


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_concept_page_queries_do_not_grow_with_goals_or_comments(room: Room) -> None:
    same_queries(room, get(Client(), "/"))


def test_action_field_page_queries_do_not_grow_with_goals_or_comments(room: Room) -> None:
    slug = room.circle.action_field.slug
    same_queries(room, get(Client(), f"/handlungsfelder/{slug}/"))


def test_goal_page_queries_do_not_grow_with_versions_or_comments(room: Room) -> None:
    same_queries(room, get(Client(), f"/ziele/{room.goal.pk}/"))


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "expert", "moderator"])
def test_room_page_queries_do_not_grow_with_goals_comments_or_authors(
    room: Room, persona: str
) -> None:
    client = Client() if persona == "anonymous" else signed_in(getattr(room, persona))
    same_queries(room, get(client, f"/raeume/{room.circle.slug}/"))


def test_goal_list_api_queries_do_not_grow_with_goals_or_comments(room: Room) -> None:
    same_queries(room, get(Client(), "/api/v1/goals/"))


def test_action_field_list_api_queries_do_not_grow_with_goals_or_comments(room: Room) -> None:
    same_queries(room, get(Client(), "/api/v1/action-fields/"))


def raise_hands(room: Room, count: int) -> None:
    for _ in range(count):
        user = make_user()
        services.membership_add(actor=None, user=user, circle=room.circle, role="expert")
        services.hand_raise(actor=user, circle=room.circle)


def test_room_snapshot_queries_do_not_grow_with_goals_comments_or_hands(room: Room) -> None:
    def read() -> None:
        read_snapshot(room.circle.pk)

    raise_hands(room, 1)
    grow(room, goals=1, rounds=1)
    few = queries(read)
    raise_hands(room, 4)
    grow(room, goals=4, rounds=3)
    assert queries(read) == few


def test_the_rooms_page_of_a_member_costs_the_same_for_many_circles(room: Room) -> None:
    """Signed in, the rooms list asks for the person's memberships once, not per circle."""
    read = get(signed_in(room.expert), "/raeume/")
    read()  # the session and whatever else runs once
    few = queries(read)
    for n in range(5):
        circle = make_circle(
            make_field(concept=room.circle.action_field.concept), is_public=n % 2 == 0
        )
        Membership.objects.create(user=room.expert, circle=circle, role=Membership.Role.EXPERT)
    assert queries(read) == few
