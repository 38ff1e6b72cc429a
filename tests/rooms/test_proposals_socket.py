"""Change proposals in the live room: proposed over the socket, they reach everybody at once
as a word diff; overlapping ones are flagged for all; the moderator's quick vote is counted
live; a stale snapshot plus the events equals a fresh snapshot for every proposal event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deliberation import proposals
from deliberation.models import ChangeProposal
from deliberation.rounds import services as round_services
from rooms.replay import events_after
from rooms.snapshots import read_snapshot
from tests.factories import Room
from tests.rooms.conftest import PERSONAS, Join
from tests.rooms.support import apply_event
from tests.rooms.test_snapshots import verify_action

pytestmark = [pytest.mark.django_db]

# tests.factories.make_goal's text: "Erster Absatz.\n\nZweiter Absatz."


def _frame(frame_id: int, quote: str = "Zweiter", **extra: Any) -> dict[str, Any]:
    start = "Zweiter Absatz.".index(quote)
    return {
        "type": "proposal.create",
        "id": frame_id,
        "paragraph": 2,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "replacement": "Dritter",
        "reason": "Genauer.",
        "client_key": f"key-{frame_id}",
        **extra,
    }


async def _next_proposal_event(socket: Any) -> dict[str, Any]:
    while True:
        frame = await socket.recv_event()
        if frame["kind"].startswith("proposal."):
            return frame


@pytest.mark.django_db(transaction=True)
async def test_a_proposal_on_a_sentence_appears_live_for_the_others_as_a_diff(
    room: Room, join: Join
) -> None:
    expert = await join("expert")
    watcher = await join("anonymous")
    moderator = await join("moderator")
    assert watcher.welcome is not None and watcher.welcome["snapshot"]["proposals"] == []
    ack = await expert.request({**_frame(1), "goal": room.goal.pk})
    assert ack["type"] == "ack" and ack["created"] is True
    for socket in (watcher, moderator):
        event = await _next_proposal_event(socket)
        assert event["kind"] == "proposal.created"
        proposal = event["data"]["proposal"]
        assert (proposal["quote"], proposal["replacement"]) == ("Zweiter", "Dritter")
        assert proposal["diff"] == [
            {"op": "delete", "text": "Zweiter"},
            {"op": "insert", "text": "Dritter"},
        ]


@pytest.mark.django_db(transaction=True)
async def test_two_overlapping_proposals_are_flagged_for_everybody(room: Room, join: Join) -> None:
    expert = await join("expert")
    watcher = await join("anonymous")
    first = await expert.request({**_frame(1), "goal": room.goal.pk})
    second = await expert.request(
        {**_frame(2, "Zweiter Absatz"), "goal": room.goal.pk, "replacement": "Ein Absatz"}
    )
    await _next_proposal_event(watcher)
    event = await _next_proposal_event(watcher)
    assert event["data"]["proposal"]["conflicts_with"] == [first["proposal"]]
    assert {c["id"]: c["conflicts_with"] for c in event["data"]["conflicts"]} == {
        first["proposal"]: [second["proposal"]],
        second["proposal"]: [first["proposal"]],
    }


@pytest.mark.django_db(transaction=True)
async def test_bad_offsets_get_a_clear_error_and_change_nothing(room: Room, join: Join) -> None:
    expert = await join("expert")
    out_of_range = await expert.request({**_frame(1), "goal": room.goal.pk, "end": 400})
    assert out_of_range["type"] == "error" and out_of_range["code"] == "invalid"
    assert "passt nicht in Absatz 2" in out_of_range["message"]
    mismatch = await expert.request({**_frame(2), "goal": room.goal.pk, "quote": "Erster"})
    assert mismatch["code"] == "invalid" and mismatch["field"] == "quote"
    not_a_number = await expert.request({**_frame(3), "goal": room.goal.pk, "start": "0"})
    assert not_a_number["code"] == "invalid"
    assert await ChangeProposal.objects.acount() == 0
    assert await expert.hears_nothing()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
async def test_who_may_propose_and_run_the_quick_vote(room: Room, join: Join, persona: str) -> None:
    socket = await join(persona)
    made = await socket.request({**_frame(1), "goal": room.goal.pk})
    if persona in ("outsider", "anonymous"):
        assert made["code"] == "forbidden"
        assert await ChangeProposal.objects.acount() == 0
        return
    assert made["type"] == "ack"
    opened = await socket.request(
        {"type": "proposal.vote_open", "id": 2, "proposal": made["proposal"]}
    )
    assert opened["type"] == ("ack" if persona == "moderator" else "error")


@pytest.mark.django_db(transaction=True)
async def test_the_quick_vote_is_counted_live_and_closed_by_the_moderator(
    room: Room, join: Join
) -> None:
    moderator = await join("moderator")
    expert = await join("expert")
    drafter = await join("drafter")
    viewer = await join("outsider")
    watcher = await join("anonymous")  # sends nothing: reads every event in order
    made = await expert.request({**_frame(1), "goal": room.goal.pk})
    proposal_id = made["proposal"]
    assert (
        await moderator.request({"type": "proposal.vote_open", "id": 2, "proposal": proposal_id})
    )["type"] == "ack"
    for socket, choice in ((expert, "yes"), (drafter, "no"), (moderator, "yes")):
        ack = await socket.request(
            {"type": "proposal.vote_cast", "id": 3, "proposal": proposal_id, "choice": choice}
        )
        assert ack["type"] == "ack", ack
    refused = await viewer.request(
        {"type": "proposal.vote_cast", "id": 4, "proposal": proposal_id, "choice": "yes"}
    )
    assert refused["code"] == "forbidden"
    seen = [await _next_proposal_event(watcher) for _ in range(5)]
    tally = seen[-1]["data"]["proposal"]["vote"]
    assert (seen[-1]["kind"], tally["yes"], tally["no"], tally["open"]) == (
        "proposal.vote_cast",
        2,
        1,
        True,
    )
    assert (await expert.request({"type": "proposal.vote_close", "id": 5}))["code"] == "forbidden"
    closed = await moderator.request({"type": "proposal.vote_close", "id": 6})
    assert closed["type"] == "ack"
    event = await _next_proposal_event(watcher)
    assert event["kind"] == "proposal.vote_closed"
    assert event["data"]["proposal"]["vote"]["open"] is False
    assert event["data"]["proposal"]["vote"]["yes"] == 2


def _propose(room: Room, quote: str = "Zweiter", key: str = "k") -> int:
    start = "Zweiter Absatz.".index(quote)
    made, _created = proposals.proposal_create(
        actor=room.expert,
        circle=room.circle,
        goal_id=room.goal.pk,
        paragraph=2,
        start=start,
        end=start + len(quote),
        quote=quote,
        replacement="Neu",
        reason="Grund.",
        client_key=key,
    )
    return made.pk


def verify_proposals(room: Room, action: Any, *kinds: str) -> None:
    """``verify_action`` for the snapshot's ``proposals`` only, with ``kinds`` among (and in
    the order of) the events the action recorded."""
    before = read_snapshot(room.circle.pk)
    action()
    after = read_snapshot(room.circle.pk)
    for view in ("public", "moderator"):
        state = json.loads(getattr(before, view))
        seen = []
        for event in events_after(room.circle.pk, before.seq, limit=1000):
            frame = json.loads(getattr(event, view))
            seen.append(frame["kind"])
            state = apply_event(state, frame["kind"], frame["data"])
        assert [k for k in seen if k in kinds] == list(kinds)
        assert state["proposals"] == json.loads(getattr(after, view))["proposals"], view


def test_stale_snapshot_plus_proposal_events_equals_fresh_snapshot(room: Room) -> None:
    first = _propose(room)
    verify_action(room, lambda: _propose(room, "Absatz", "k2"), "proposal.created")
    verify_action(
        room,
        lambda: proposals.proposal_withdraw(
            actor=room.expert, circle=room.circle, proposal_id=first
        ),
        "proposal.withdrawn",
    )
    third = _propose(room, "Zweiter Absatz", "k3")
    verify_action(
        room,
        lambda: proposals.proposal_vote_open(
            actor=room.moderator, circle=room.circle, proposal_id=third
        ),
        "proposal.vote_opened",
    )
    verify_action(
        room,
        lambda: proposals.proposal_vote_cast(
            actor=room.expert2, circle=room.circle, proposal_id=third, choice="yes"
        ),
        "proposal.vote_cast",
    )
    verify_action(
        room,
        lambda: proposals.proposal_vote_close(actor=room.moderator, circle=room.circle),
        "proposal.vote_closed",
    )
    round_services.round_open(
        actor=room.moderator, circle=room.circle, agenda=[{"goal": room.goal.pk}]
    )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="evaluation")
    verify_action(
        room,
        lambda: proposals.proposal_dispose(
            actor=room.drafter,
            circle=room.circle,
            proposal_id=third,
            value="accepted",
            response="Ja.",
        ),
        "disposition.set",
        "proposal.decided",
    )
    round_services.round_set_phase(actor=room.moderator, circle=room.circle, phase="revision")
    # Publishing records other parts' events too: check the proposals part.
    verify_proposals(
        room,
        lambda: round_services.goal_version_publish(
            actor=room.drafter,
            circle=room.circle,
            goal_id=room.goal.pk,
            text="Erster Absatz.\n\nNeu.",
            proposal_ids=[third],
        ),
        "disposition.set",
        "proposal.applied",
    )
    snapshot = json.loads(read_snapshot(room.circle.pk).public)
    applied = next(p for p in snapshot["proposals"] if p["id"] == third)
    assert applied["applied_in"]["number"] == 2
