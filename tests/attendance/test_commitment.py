"""The fingerprint published at opening covers which absent members' deputies may cast (as
a hash over their ids, never names), and the published verifier checks it at close."""

from __future__ import annotations

import json
from typing import Any

import pytest

from attendance.models import DeputyBallotRight
from tests.attendance.conftest import roll_call_without_expert3
from tests.factories import Room
from tests.voting.conftest import open_motion
from voting import services as voting_services
from voting import tally
from voting.models import Motion

pytestmark = pytest.mark.django_db

DIFFERS = "the deputy rights differ from the ones committed at opening"


def close(room: Room, motion: Motion) -> tuple[dict[str, Any], str]:
    voting_services.ballot_cast(actor=room.expert, motion_id=motion.pk, choice="consent")
    result = voting_services.motion_close(actor=room.moderator, motion_id=motion.pk)
    return result.record, result.digest


def problems_of(record: dict[str, Any], motion: Motion) -> list[str]:
    return tally.verify(tally.canonical_json(record), tally.digest(record), motion.fingerprint)


def test_the_fingerprint_covers_the_absent_members_a_deputy_may_cast_for(
    ready_room: Room,
) -> None:
    motion = open_motion(ready_room, roll_call=True, secret=True)
    motion.refresh_from_db()
    expert3 = ready_room.expert3  # type: ignore[attr-defined]
    assert motion.commitment["deputies"] == {
        "represented": 1,
        "represented_sha256": tally.electorate_hash([expert3.pk]),
    }
    assert motion.fingerprint == tally.digest(motion.commitment)
    # Ids only: nobody's name is in the commitment.
    text = json.dumps(motion.commitment, ensure_ascii=False)
    for user in (expert3, ready_room.deputy):  # type: ignore[attr-defined]
        assert user.get_username() not in text


def test_the_record_lists_the_ids_and_verifies_against_the_fingerprint(ready_room: Room) -> None:
    motion = open_motion(ready_room, roll_call=True, secret=True)
    record, digest = close(ready_room, motion)
    assert record["attendance"]["represented"] == [ready_room.expert3.pk]  # type: ignore[attr-defined]
    assert tally.verify(tally.canonical_json(record), digest, motion.fingerprint) == []


def test_a_deputy_right_added_while_the_vote_runs_is_noticed(ready_room: Room) -> None:
    motion = open_motion(ready_room, roll_call=True)
    # What a tampered database would do: give somebody's deputy a right after opening.
    DeputyBallotRight.objects.create(
        motion=motion,
        member=ready_room.expert2,
        deputy=ready_room.deputy,  # type: ignore[attr-defined]
    )
    record, _digest = close(ready_room, motion)
    assert DIFFERS in problems_of(record, motion)


def test_a_deputy_right_taken_out_of_the_record_is_noticed(ready_room: Room) -> None:
    motion = open_motion(ready_room, roll_call=True)
    record, _digest = close(ready_room, motion)
    record["attendance"]["represented"] = []
    assert DIFFERS in problems_of(record, motion)
    del record["attendance"]["represented"]
    assert "the record lists no deputy rights, but they were committed at opening" in problems_of(
        record, motion
    )


def test_a_motion_without_a_roll_call_commits_no_deputies(ready_room: Room) -> None:
    motion = open_motion(ready_room)
    motion.refresh_from_db()
    assert "deputies" not in motion.commitment
    record, digest = close(ready_room, motion)
    assert tally.verify(tally.canonical_json(record), digest, motion.fingerprint) == []
    record["attendance"] = {"represented": [ready_room.expert3.pk]}  # type: ignore[attr-defined]
    assert "the record lists deputy rights that were not committed at opening" in problems_of(
        record, motion
    )


def test_a_roll_call_without_deputies_commits_an_empty_set(aroom: Room) -> None:
    roll_call_without_expert3(aroom)
    motion = open_motion(aroom, roll_call=True)
    motion.refresh_from_db()
    assert motion.commitment["deputies"]["represented"] == 0
    record, digest = close(aroom, motion)
    assert record["attendance"]["represented"] == []
    assert tally.verify(tally.canonical_json(record), digest, motion.fingerprint) == []
