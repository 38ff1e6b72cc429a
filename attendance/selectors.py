"""Every read of attendance that a door or the vote needs, with its queries bounded."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from attendance import payloads
from attendance.models import (
    Deputy,
    DeputyBallotRight,
    DeputyChange,
    MotionAttendance,
    RollCall,
    RollCallEntry,
)
from deliberation.models import Circle, Membership
from deliberation.payloads import person
from kernel.times import utc_iso

_ROLE_RANK = {Membership.Role.MODERATOR: 0, Membership.Role.EXPERT: 1, Membership.Role.DRAFTER: 2}


def circle_members(circle: Circle | int) -> dict[int, str]:
    """Every member of the circle once, with their strongest role: ``{user_id: role}``."""
    roles: dict[int, str] = {}
    rows = Membership.objects.filter(circle=circle).values_list("user_id", "role")
    for user_id, role in rows:
        known = roles.get(user_id)
        if known is None or _ROLE_RANK.get(role, 9) < _ROLE_RANK.get(known, 9):  # type: ignore[call-overload]
            roles[user_id] = role
    return roles


def open_roll_call(circle: Circle | int) -> RollCall | None:
    return RollCall.objects.filter(circle=circle, status=RollCall.Status.OPEN).first()


def last_closed_roll_call(circle: Circle | int) -> RollCall | None:
    return (
        RollCall.objects.filter(circle=circle, status=RollCall.Status.CLOSED)
        .order_by("-closed_at", "-pk")
        .first()
    )


def latest_roll_call(circle: Circle | int) -> RollCall | None:
    """The open roll call, else the last closed one (what the attendance page shows)."""
    return open_roll_call(circle) or last_closed_roll_call(circle)


def room_roll_call(circle: Circle | int) -> dict[str, Any] | None:
    """The room snapshot's ``roll_call``: the open roll call, else the last closed one, in the
    shape of the ``rollcall.*`` events (``payloads.roll_call_data``); None: there is none."""
    latest = latest_roll_call(circle)
    roll_call = roll_call_by_id(latest.pk) if latest is not None else None
    if roll_call is None:
        return None
    return payloads.roll_call_data(roll_call, roll_call_entries(roll_call))


def roll_call_by_id(roll_call_id: int) -> RollCall | None:
    return RollCall.objects.select_related("opened_by").filter(pk=roll_call_id).first()


def roll_call_entries(roll_call: RollCall) -> list[RollCallEntry]:
    """Entries with their users, by name then id."""
    entries = list(
        RollCallEntry.objects.filter(roll_call=roll_call).select_related("user", "marked_by")
    )
    return sorted(
        entries,
        key=lambda e: ((e.user.get_full_name() or e.user.get_username()).casefold(), e.user_id),
    )


def present_ids(roll_call: RollCall) -> set[int]:
    return set(
        RollCallEntry.objects.filter(roll_call=roll_call, present=True).values_list(
            "user_id", flat=True
        )
    )


def active_deputies(circle: Circle | int) -> QuerySet[Deputy]:
    return (
        Deputy.objects.filter(circle=circle, removed_at__isnull=True)
        .select_related("member", "deputy", "registered_by")
        .order_by("member_id")
    )


def active_deputy(circle: Circle | int, member_id: int) -> Deputy | None:
    return active_deputies(circle).filter(member_id=member_id).first()


def deputy_history(circle: Circle | int) -> QuerySet[DeputyChange]:
    """Every registration and removal, newest first."""
    return DeputyChange.objects.filter(circle=circle).select_related("member", "deputy", "actor")


# --- what the vote asks -------------------------------------------------------------------


def motion_attendance(motion: Any) -> MotionAttendance | None:
    return MotionAttendance.objects.select_related("roll_call").filter(motion_id=motion.pk).first()


def motion_present_count(motion: Any) -> int | None:
    """Eligible voters present at the roll call the motion uses; None: it uses none."""
    attendance = MotionAttendance.objects.filter(motion_id=motion.pk).only("present_count").first()
    return attendance.present_count if attendance is not None else None


def deputy_rights_of(motion: Any, user: Any) -> list[DeputyBallotRight]:
    """The absent members ``user`` may cast for on ``motion``."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        DeputyBallotRight.objects.filter(motion_id=motion.pk, deputy=user)
        .select_related("member")
        .order_by("member_id")
    )


def represented_ids(motion: Any) -> list[int]:
    """The absent eligible voters whose deputy may cast their ballot on ``motion``, by id:
    what the motion's commitment hashes at opening and its record lists at close."""
    return sorted(
        DeputyBallotRight.objects.filter(motion_id=motion.pk).values_list("member_id", flat=True)
    )


def motion_record_section(motion: Any) -> dict[str, Any] | None:
    """The record's ``attendance``: the roll call, the members present, the deputies and
    ``represented``, the ids of the absent members a deputy could cast for.

    A secret motion's section counts the ballots deputies cast and names nobody; an open
    one's lists who cast for whom (the ballots themselves name the member). None: the motion
    uses no roll call. Precondition (secret motions): called at close, in its transaction."""
    attendance = motion_attendance(motion)
    if attendance is None:
        return None
    roll_call = attendance.roll_call
    assert roll_call.closed_at is not None
    rights = list(
        DeputyBallotRight.objects.filter(motion_id=motion.pk)
        .select_related("member", "deputy")
        .order_by("member_id")
    )
    used = [r for r in rights if r.used]
    deputies: dict[str, Any] = {"registered": len(rights), "cast": len(used)}
    if not motion.secret:
        deputies["ballots"] = [
            {"member": person(r.member), "deputy": person(r.deputy)} for r in used
        ]
    return {
        "roll_call": {"id": roll_call.pk, "closed_at": utc_iso(roll_call.closed_at)},
        "quorum_basis": attendance.quorum_basis,
        "present": attendance.present_count,
        "deputies": deputies,
        # Ids, as the electorate's: checked against the hash committed at opening.
        "represented": sorted(r.member_id for r in rights),
    }


def personal_data(user: Any) -> dict[str, Any]:
    """What attendance stores about ``user``, for the person's own export: roll-call
    entries, deputy registrations (as member or deputy) and the rights to vote for someone."""
    return {
        "roll_call_entries": list(
            RollCallEntry.objects.filter(user=user)
            .order_by("pk")
            .values(
                "roll_call_id",
                "roll_call__circle__slug",
                "roll_call__opened_at",
                "role",
                "present",
                "from_presence",
                "marked_at",
            )
        ),
        "deputies": list(
            Deputy.objects.filter(member=user)
            .order_by("pk")
            .values("id", "circle__slug", "deputy_id", "registered_at", "removed_at")
        ),
        "deputy_for": list(
            Deputy.objects.filter(deputy=user)
            .order_by("pk")
            .values("id", "circle__slug", "member_id", "registered_at", "removed_at")
        ),
        "deputy_ballot_rights": list(
            DeputyBallotRight.objects.filter(Q(member=user) | Q(deputy=user))
            .order_by("pk")
            .values("motion_id", "member_id", "deputy_id", "used")
        ),
    }
