"""Every command for every role: allowed ones become one event (before the ack) that every
socket of the room hears with the same seq; refused ones change nothing and nobody hears
anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from deliberation import services
from deliberation.models import Comment, HandRaise
from tests.factories import Room
from tests.rooms.conftest import PERSONAS, Join
from tests.rooms.support import adb, room_seq

pytestmark = [pytest.mark.django_db(transaction=True)]

MEMBERS = {"moderator", "expert", "drafter"}
MODERATORS = {"moderator"}


def _own_comment(room: Room, user: Any) -> Comment:
    author = user if user is not None and room_member(room, user) else room.expert2
    comment, _ = services.comment_post(
        actor=author, circle=room.circle, goal_id=room.goal.pk, body="Vorher", client_key="own"
    )
    return comment


def room_member(room: Room, user: Any) -> bool:
    return user in (room.moderator, room.expert, room.expert2, room.drafter)


def _post(room: Room, user: Any) -> dict[str, Any]:
    return {"goal": room.goal.pk, "body": "**Neu**", "client_key": "k-1"}


def _edit(room: Room, user: Any) -> dict[str, Any]:
    return {"comment": _own_comment(room, user).pk, "body": "Nachher"}


def _hide(room: Room, user: Any) -> dict[str, Any]:
    comment, _ = services.comment_post(
        actor=room.expert2, circle=room.circle, goal_id=room.goal.pk, body="Hm", client_key="h"
    )
    return {"comment": comment.pk, "reason": "Off-topic"}


def _unhide(room: Room, user: Any) -> dict[str, Any]:
    fields = _hide(room, user)
    services.comment_set_visibility(
        actor=room.moderator,
        circle=room.circle,
        comment_id=fields["comment"],
        hidden=True,
        reason="Off-topic",
    )
    return {"comment": fields["comment"], "reason": "Doch zum Thema"}


def _raise(room: Room, user: Any) -> dict[str, Any]:
    return {}


def _lower(room: Room, user: Any) -> dict[str, Any]:
    if user is not None and room_member(room, user):
        services.hand_raise(actor=user, circle=room.circle)
    return {}


def _next(room: Room, user: Any) -> dict[str, Any]:
    services.hand_raise(actor=room.expert2, circle=room.circle)
    return {}


def _focus(room: Room, user: Any) -> dict[str, Any]:
    return {"goal": room.goal.pk}


# command → (prepare, event kind, who may)
COMMANDS: dict[str, tuple[Callable[[Room, Any], dict[str, Any]], str, set[str]]] = {
    "comment.post": (_post, "comment.created", MEMBERS),
    "comment.edit": (_edit, "comment.edited", MEMBERS),
    "comment.hide": (_hide, "comment.hidden", MODERATORS),
    "comment.unhide": (_unhide, "comment.unhidden", MODERATORS),
    "hand.raise": (_raise, "hand.raised", MEMBERS),
    "hand.lower": (_lower, "hand.lowered", MEMBERS),
    "hand.next": (_next, "hand.next", MODERATORS),
    "focus.set": (_focus, "focus.changed", MODERATORS),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("command", list(COMMANDS))
async def test_command_by_role(room: Room, join: Join, command: str, persona: str) -> None:
    prepare, kind, allowed = COMMANDS[command]
    user = getattr(room, persona, None)
    fields = await adb(prepare)(room, user)
    watcher = await join("anonymous")
    moderator = await join("moderator") if persona != "moderator" else None
    actor = await join(persona)
    seq = actor.welcome_seq if actor.welcome else 0

    await actor.send({"type": command, "id": "c-1", **fields})

    if persona in allowed:
        event = await actor.recv_event(kind)
        assert event["seq"] == seq + 1
        ack = await actor.recv()
        assert ack["type"] == "ack"
        assert ack["id"] == "c-1"
        assert ack["seq"] == event["seq"]
        heard = await watcher.recv_event(kind)
        assert heard["seq"] == event["seq"]
        if moderator is not None:
            assert (await moderator.recv_event(kind))["seq"] == event["seq"]
        assert await adb(room_seq)(room.circle.pk) == seq + 1
    else:
        error = await actor.recv()
        assert error["type"] == "error"
        assert error["id"] == "c-1"
        assert error["code"] == "forbidden"
        assert error["message"]
        assert await watcher.hears_nothing()
        assert await adb(room_seq)(room.circle.pk) == seq
        # The connection stays usable.
        assert (await actor.request({"type": "ping", "id": "p"}))["type"] == "pong"


async def test_comment_post_acks_with_the_comment_and_renders_markdown(
    room: Room, join: Join
) -> None:
    expert = await join("expert")
    await expert.send(
        {
            "type": "comment.post",
            "id": 7,
            "goal": room.goal.pk,
            "body": "Siehe <script>alert(1)</script> [Link](https://example.org)",
            "client_key": "k",
            "anchor": {"paragraph": 2, "quote": "Zweiter"},
        }
    )
    event = await expert.recv_event("comment.created")
    comment = event["data"]["comment"]
    assert comment["anchor"] == {
        "paragraph": 2,
        "quote": "Zweiter",
        "prefix": "",
        "suffix": " Absatz.",
    }
    assert "<script" not in comment["body_html"]
    assert 'rel="nofollow noopener noreferrer"' in comment["body_html"]
    ack = await expert.recv()
    assert ack == {
        "type": "ack",
        "id": 7,
        "seq": event["seq"],
        "comment": comment["id"],
        "created": True,
    }


async def test_reply_to_a_reply_is_invalid(room: Room, join: Join) -> None:
    expert = await join("expert")
    first = await expert.request(
        {"type": "comment.post", "id": 1, "goal": room.goal.pk, "body": "A", "client_key": "a"}
    )
    second = await expert.request(
        {
            "type": "comment.post",
            "id": 2,
            "goal": room.goal.pk,
            "body": "B",
            "client_key": "b",
            "reply_to": first["comment"],
        }
    )
    third = await expert.request(
        {
            "type": "comment.post",
            "id": 3,
            "goal": room.goal.pk,
            "body": "C",
            "client_key": "c",
            "reply_to": second["comment"],
        }
    )
    assert third["type"] == "error"
    assert third["code"] == "invalid"
    assert third["field"] == "reply_to"


@pytest.mark.parametrize(
    ("frame", "code", "field"),
    [
        ({"goal": 999_999}, "not_found", "goal"),
        ({"body": "x" * 5001}, "invalid", "body"),
        ({"body": "   "}, "invalid", "body"),
        ({"anchor": {"paragraph": 3}}, "invalid", "anchor"),
    ],
)
async def test_domain_errors_become_error_frames(
    room: Room, join: Join, frame: dict[str, Any], code: str, field: str
) -> None:
    expert = await join("expert")
    answer = await expert.request(
        {
            "type": "comment.post",
            "id": "x",
            "goal": room.goal.pk,
            "body": "ok",
            "client_key": "k",
            **frame,
        }
    )
    assert answer["type"] == "error"
    assert (answer["code"], answer["field"]) == (code, field)
    assert await adb(room_seq)(room.circle.pk) == expert.welcome_seq


async def test_expert_cannot_edit_someone_elses_comment(room: Room, join: Join) -> None:
    comment, _ = await adb(services.comment_post)(
        actor=room.expert2, circle=room.circle, goal_id=room.goal.pk, body="Mein", client_key="m"
    )
    expert = await join("expert")
    answer = await expert.request(
        {"type": "comment.edit", "id": 1, "comment": comment.pk, "body": "Deins"}
    )
    assert answer["code"] == "forbidden"


async def test_expert_cannot_lower_someone_elses_hand(room: Room, join: Join) -> None:
    await adb(services.hand_raise)(actor=room.expert2, circle=room.circle)
    expert = await join("expert")
    answer = await expert.request({"type": "hand.lower", "id": 1, "user": room.expert2.pk})
    assert answer["code"] == "forbidden"


async def test_moderator_lowers_someone_elses_hand(room: Room, join: Join) -> None:
    await adb(services.hand_raise)(actor=room.expert2, circle=room.circle)
    moderator = await join("moderator")
    await moderator.send({"type": "hand.lower", "id": 1, "user": room.expert2.pk})
    event = await moderator.recv_event("hand.lowered")
    assert event["data"]["hand"]["user"]["id"] == room.expert2.pk
    assert event["data"]["queue"] == []
    assert (await moderator.recv())["type"] == "ack"


async def test_hand_queue_runs_first_come_first_served(room: Room, join: Join) -> None:
    moderator = await join("moderator")
    expert = await join("expert")
    drafter = await join("drafter")
    await expert.request({"type": "hand.raise", "id": 1})
    await drafter.request({"type": "hand.raise", "id": 2})
    again = await expert.request({"type": "hand.raise", "id": 3})
    assert again["code"] == "conflict"

    await moderator.send({"type": "hand.next", "id": 4})
    events = [await moderator.recv() for _ in range(3)]  # raised, raised, next
    nxt = events[-1]
    assert nxt["kind"] == "hand.next"
    assert nxt["data"]["hand"]["user"]["id"] == room.expert.pk
    assert nxt["data"]["done"] is None
    assert [(h["user"]["id"], h["state"]) for h in nxt["data"]["queue"]] == [
        (room.expert.pk, "speaking"),
        (room.drafter.pk, "waiting"),
    ]
    assert (await moderator.recv())["type"] == "ack"

    await moderator.send({"type": "hand.next", "id": 5})
    nxt = await moderator.recv_event("hand.next")
    assert nxt["data"]["done"]["user"]["id"] == room.expert.pk
    assert nxt["data"]["done"]["state"] == "done"
    assert [h["user"]["id"] for h in nxt["data"]["queue"]] == [room.drafter.pk]
    assert (await moderator.recv())["type"] == "ack"

    await moderator.send({"type": "hand.next", "id": 6})
    nxt = await moderator.recv_event("hand.next")
    assert nxt["data"]["hand"] is None
    assert nxt["data"]["queue"] == []
    assert (await moderator.recv())["type"] == "ack"
    empty = await moderator.request({"type": "hand.next", "id": 7})
    assert empty["code"] == "conflict"
    assert await adb(HandRaise.objects.filter(state="done").count)() == 2


async def test_focus_on_a_goal_outside_the_discussion_is_a_conflict(room: Room, join: Join) -> None:
    draft = await adb(
        lambda: services.goal_create(
            actor=None, action_field=room.circle.action_field, title="Neu", text="Text"
        )
    )()
    moderator = await join("moderator")
    answer = await moderator.request({"type": "focus.set", "id": 1, "goal": draft.pk})
    assert answer["code"] == "conflict"
    set_ = await moderator.request({"type": "focus.set", "id": 2, "goal": room.goal.pk})
    assert set_["type"] == "ack"
    again = await moderator.request({"type": "focus.set", "id": 3, "goal": room.goal.pk})
    assert again == {"type": "ack", "id": 3, "seq": set_["seq"]}
    cleared = await moderator.request({"type": "focus.set", "id": 4, "goal": None})
    assert cleared["seq"] == set_["seq"] + 1
