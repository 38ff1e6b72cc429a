"""After close, a secret ballot cannot be linked to its voter, even by someone who reads the
whole database (issue 12; the threat model is in docs/voting.md#secret-ballots).

The probe's attack, run for real on PostgreSQL: each ballot row's ``xmin`` (the id of the
transaction that wrote it) equals its ``motion.turnout`` event's, which gives the moment it
was cast; whoever signed in just before that moment (``auth_user.last_login``) cast it. A
second attack reads the physical row order (``ctid``) as the cast order. Both link every
ballot while the vote runs — the server may link then, so a voter can change their ballot —
and must link none after the close.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from deliberation.models import Membership, RoomEvent
from tests.factories import PASSWORD, make_room, make_user
from tests.voting.conftest import open_motion
from voting import services
from voting.models import Ballot, Motion

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Cast in this order; the canonical order (abstain < consent < … < veto) differs at every place.
CAST_ORDER = ["veto", "consent_with_concerns", "abstain", "consent", "consent"]


# The table names come from the models, not from input.
def rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def read_database(motion: Motion) -> dict[str, Any]:
    """What the attacker reads: ballots with their system columns, the turnout events with
    theirs, and the voters' sign-in times."""
    return {
        "ballots": rows(
            "SELECT xmin::text::bigint, ctid::text AS place, id::text, choice "  # noqa: S608
            f"FROM {Ballot._meta.db_table} WHERE motion_id = %s ORDER BY ctid",
            motion.pk,
        ),
        "turnouts": rows(
            f"SELECT xmin::text::bigint, created_at, seq FROM {RoomEvent._meta.db_table} "  # noqa: S608
            "WHERE kind = 'motion.turnout' AND (payload->>'motion')::int = %s ORDER BY seq",
            motion.pk,
        ),
        "closed": rows(
            f"SELECT xmin::text::bigint FROM {RoomEvent._meta.db_table} "  # noqa: S608
            "WHERE kind = 'motion.closed'"
        ),
        "logins": rows(
            "SELECT u.id, u.last_login FROM auth_user u "
            "JOIN voting_eligiblevoter e ON e.user_id = u.id WHERE e.motion_id = %s",
            motion.pk,
        ),
    }


def signed_in_before(logins: list[tuple[int, Any]], moment: Any, taken: set[int]) -> int | None:
    earlier = [
        (at, uid) for uid, at in logins if at is not None and at <= moment and uid not in taken
    ]
    return max(earlier)[1] if earlier else None


XID_WINDOW = 3  # the ballot is written in a savepoint: its xmin is one above the event's


def xmin_attack(seen: dict[str, Any]) -> dict[int, str]:
    """Turnout event → who signed in just before it; the one ballot written by the same
    transaction (or a subtransaction just after it) → what."""
    links: dict[int, str] = {}
    for event_xmin, created_at, _seq in seen["turnouts"]:
        voter = signed_in_before(seen["logins"], created_at, set(links))
        candidates = [
            choice
            for xmin, _ctid, _id, choice in seen["ballots"]
            if event_xmin <= xmin <= event_xmin + XID_WINDOW
        ]
        if voter is not None and len(candidates) == 1:
            links[voter] = candidates[0]
    return links


def ctid_attack(seen: dict[str, Any]) -> dict[int, str]:
    """The n-th ballot on disk is the n-th cast, whose voter signed in just before."""
    links: dict[int, str] = {}
    for (_xmin, created_at, _seq), ballot in zip(seen["turnouts"], seen["ballots"], strict=False):
        voter = signed_in_before(seen["logins"], created_at, set(links))
        if voter is not None:
            links[voter] = ballot[3]
    return links


def test_after_close_no_secret_ballot_can_be_linked_to_its_voter() -> None:
    room = make_room()
    room.circle.memberships.filter(role=Membership.Role.EXPERT).delete()
    voters = [make_user() for _ in CAST_ORDER]
    Membership.objects.bulk_create(
        Membership(user=u, circle=room.circle, role=Membership.Role.EXPERT) for u in voters
    )
    motion = open_motion(room, secret=True)
    truth: dict[int, str] = {}
    for user, choice in zip(voters, CAST_ORDER, strict=True):
        assert Client().login(username=user.username, password=PASSWORD)  # sets last_login
        services.ballot_cast(
            actor=user,
            motion_id=motion.pk,
            choice=choice,
            reason="Bedenken" if choice in ("veto", "consent_with_concerns") else "",
        )
        truth[user.pk] = choice

    # While the vote runs the attack works: the test attacks what it claims to defeat.
    during = read_database(motion)
    assert xmin_attack(during) == truth
    assert ctid_attack(during) == truth
    ids_during = {ballot_id for _x, _c, ballot_id, _ch in during["ballots"]}

    services.motion_close(actor=room.moderator, motion_id=motion.pk)
    after = read_database(motion)

    assert xmin_attack(after) == {}
    assert sum(truth[uid] == choice for uid, choice in ctid_attack(after).items()) == 0
    # Why: every ballot row was written by the closing transaction, in canonical order, under
    # fresh ids; no turnout event shares a transaction with any of them.
    ballot_xmins = {xmin for xmin, _c, _id, _ch in after["ballots"]}
    assert len(ballot_xmins) == 1
    assert min(ballot_xmins) > max(xmin for xmin, _at, _seq in after["turnouts"])
    assert [choice for *_rest, choice in after["ballots"]] == sorted(CAST_ORDER)
    assert not ids_during & {ballot_id for _x, _c, ballot_id, _ch in after["ballots"]}
    stored = Ballot.objects.filter(motion=motion)
    assert not stored.filter(voter__isnull=False).exists()
    assert not stored.filter(cast_at__isnull=False).exists()
    assert not stored.filter(changed_at__isnull=False).exists()
