"""A hidden comment's body reaches moderators only: redacted inside the event, never left
out, with the same seq for every role; the snapshot agrees."""

from __future__ import annotations

import pytest

from tests.factories import Room
from tests.rooms.conftest import Join

pytestmark = [pytest.mark.django_db(transaction=True)]


async def test_hiding_redacts_the_body_for_everybody_but_moderators(room: Room, join: Join) -> None:
    moderator = await join("moderator")
    expert = await join("expert")
    drafter = await join("drafter")
    outsider = await join("outsider")
    anonymous = await join("anonymous")
    everybody = [moderator, expert, drafter, outsider, anonymous]

    posted = await expert.request(
        {"type": "comment.post", "id": 1, "goal": room.goal.pk, "body": "Heikel", "client_key": "k"}
    )
    for socket in everybody[:1] + everybody[2:]:
        await socket.recv_event("comment.created")

    await moderator.send(
        {"type": "comment.hide", "id": 2, "comment": posted["comment"], "reason": "Beleidigend"}
    )
    frames = {id(s): await s.recv_event("comment.hidden") for s in everybody}
    seqs = {frame["seq"] for frame in frames.values()}
    assert seqs == {posted["seq"] + 1}

    mod_comment = frames[id(moderator)]["data"]["comment"]
    assert mod_comment["state"] == "hidden"
    assert mod_comment["body"] == "Heikel"
    assert mod_comment["body_html"] == "<p>Heikel</p>"
    for socket in everybody[1:]:
        comment = frames[id(socket)]["data"]["comment"]
        assert comment["state"] == "hidden"
        assert comment["body"] is None
        assert comment["body_html"] is None
        assert comment["moderation_reason"] == "Beleidigend"
        assert comment["id"] == mod_comment["id"]
    assert (await moderator.recv())["type"] == "ack"

    # A fresh welcome tells the same story.
    late_viewer = await join("anonymous")
    late_moderator = await join("moderator")
    [viewer_copy] = late_viewer.welcome["snapshot"]["comments"]
    [moderator_copy] = late_moderator.welcome["snapshot"]["comments"]
    assert viewer_copy == frames[id(anonymous)]["data"]["comment"]
    assert moderator_copy == mod_comment

    # Unhiding gives the body back to everybody.
    await moderator.send(
        {"type": "comment.unhide", "id": 3, "comment": posted["comment"], "reason": "Geklärt"}
    )
    for socket in [*everybody, late_viewer, late_moderator]:
        shown = await socket.recv_event("comment.unhidden")
        assert shown["data"]["comment"]["body"] == "Heikel"
