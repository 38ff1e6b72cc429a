"""Every write of attendance. Keyword-only, actor first; each checks access, writes in one
transaction, records its room event there (``deliberation.eventlog.record_event``) and
leaves the broadcast to after commit.

The second half is what ``voting.services`` asks, inside *its* transaction and under its
motion lock: the options a motion takes from attendance at opening, the deputy's path when a
ballot is cast, and the record's part at close. Nothing here imports ``voting``.

Lock order: roll call → circle (``record_event``). The vote's hooks take no lock of their
own; the caller holds the motion.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import payloads, presence, selectors
from attendance.models import (
    Deputy,
    DeputyBallotRight,
    DeputyChange,
    MotionAttendance,
    RollCall,
    RollCallEntry,
)
from deliberation.eventlog import record_event
from deliberation.models import Circle, Membership
from deliberation.payloads import person
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.prepared import Prepared

QUORUM_BASES = (MotionAttendance.QuorumBasis.ELIGIBLE, MotionAttendance.QuorumBasis.PRESENT)


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is None or not can(actor, perm, obj):
        raise Forbidden(message)


def _moderator(actor: Any, circle: Circle) -> None:
    _require(
        actor,
        "attendance.manage_roll_call",
        circle,
        _("Nur die Moderation des Kreises stellt die Anwesenheit fest."),
    )


def _user_id(value: Any, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Invalid(_("Bitte geben Sie eine Person an."), field=field)
    return value


def _roll_call_event(kind: str, roll_call: RollCall, actor: Any) -> None:
    entries = selectors.roll_call_entries(roll_call)
    record_event(
        circle=roll_call.circle_id,
        kind=kind,
        payload={"roll_call": payloads.roll_call_data(roll_call, entries)},
        actor=actor,
    )


# --- the roll call ------------------------------------------------------------------------


def roll_call_open(*, actor: Any, circle: Circle) -> RollCall:
    """Open a roll call, one entry per member of the circle, pre-filled from the room's
    presence (``attendance.presence``, the reader the rooms register): a member the room
    shows is marked present, everybody else absent. The moderator confirms or corrects
    (``roll_call_mark``), then closes it."""
    _moderator(actor, circle)
    now = timezone.now()
    with transaction.atomic():
        if selectors.open_roll_call(circle) is not None:
            raise Conflict(_("Die Anwesenheit wird gerade schon festgestellt."))
        members = selectors.circle_members(circle)
        if not members:
            raise Conflict(_("Der Kreis hat keine Mitglieder."))
        seen = presence.members_in_room(circle.pk)
        try:
            with transaction.atomic():
                roll_call = RollCall.objects.create(circle=circle, opened_by=actor, opened_at=now)
        except IntegrityError:
            raise Conflict(_("Die Anwesenheit wird gerade schon festgestellt.")) from None
        RollCallEntry.objects.bulk_create(
            RollCallEntry(
                roll_call=roll_call,
                user_id=user_id,
                role=role,
                present=user_id in seen,
                from_presence=user_id in seen,
            )
            for user_id, role in sorted(members.items())
        )
        roll_call = RollCall.objects.select_related("opened_by").get(pk=roll_call.pk)
        _roll_call_event("rollcall.opened", roll_call, actor)
    return roll_call


def _locked_open_roll_call(circle: Circle) -> RollCall:
    roll_call = (
        RollCall.objects.select_for_update()
        .select_related("opened_by")
        .filter(circle=circle, status=RollCall.Status.OPEN)
        .first()
    )
    if roll_call is None:
        raise Conflict(_("Es wird gerade keine Anwesenheit festgestellt."))
    return roll_call


def roll_call_mark(*, actor: Any, circle: Circle, user_id: int, present: bool) -> RollCallEntry:
    """Confirm or correct one member's attendance in the open roll call. Members only."""
    _moderator(actor, circle)
    user_id = _user_id(user_id, "user")
    if not isinstance(present, bool):
        raise Invalid(_("„anwesend“ ist wahr oder falsch."), field="present")
    now = timezone.now()
    with transaction.atomic():
        roll_call = _locked_open_roll_call(circle)
        role = selectors.circle_members(circle).get(user_id)
        if role is None:
            raise Invalid(
                _("Nur Mitglieder des Kreises stehen auf der Anwesenheitsliste."), field="user"
            )
        entry, _created = RollCallEntry.objects.get_or_create(
            roll_call=roll_call,
            user_id=user_id,
            defaults={"role": role, "present": present, "from_presence": False},
        )
        entry.present, entry.marked_by, entry.marked_at = present, actor, now
        entry.save(update_fields=["present", "marked_by", "marked_at"])
        entry = RollCallEntry.objects.select_related("user", "marked_by").get(pk=entry.pk)
        present_now = len(selectors.present_ids(roll_call))
        record_event(
            circle=circle,
            kind="rollcall.marked",
            payload={
                "roll_call": roll_call.pk,
                "entry": payloads.entry_data(entry),
                "present": present_now,
                "members": RollCallEntry.objects.filter(roll_call=roll_call).count(),
            },
            actor=actor,
        )
    return entry


def roll_call_mark_many(*, actor: Any, circle: Circle, present_ids: Iterable[int]) -> RollCall:
    """The page's form: exactly ``present_ids`` are present, every other member absent.
    Only entries that change are stamped (and each change is one ``rollcall.marked``)."""
    _moderator(actor, circle)
    wanted = {_user_id(i, "present") for i in present_ids}
    with transaction.atomic():
        roll_call = _locked_open_roll_call(circle)
        members = selectors.circle_members(circle)
        strangers = wanted - set(members)
        if strangers:
            raise Invalid(
                _("Nur Mitglieder des Kreises stehen auf der Anwesenheitsliste."), field="present"
            )
        entries = {e.user_id: e for e in RollCallEntry.objects.filter(roll_call=roll_call)}
        for user_id in sorted(set(members) | set(entries)):
            entry = entries.get(user_id)
            if entry is None or entry.present != (user_id in wanted) or entry.marked_by_id is None:
                roll_call_mark(
                    actor=actor, circle=circle, user_id=user_id, present=user_id in wanted
                )
    return roll_call


def roll_call_close(*, actor: Any, circle: Circle) -> RollCall:
    """Close the roll call: from now on it is fixed, and motions opened with ``roll_call``
    use it (the last closed one)."""
    _moderator(actor, circle)
    with transaction.atomic():
        roll_call = _locked_open_roll_call(circle)
        roll_call.status = RollCall.Status.CLOSED
        roll_call.closed_by, roll_call.closed_at = actor, timezone.now()
        roll_call.save(update_fields=["status", "closed_by", "closed_at"])
        _roll_call_event("rollcall.closed", roll_call, actor)
    return roll_call


# --- deputies -----------------------------------------------------------------------------


def _deputy_event(kind: str, deputy: Deputy, actor: Any) -> None:
    # The room hears that a member has (or no longer has) a deputy; only moderators hear
    # who it is: a deputy is typically not a member, and a public room has many viewers.
    record_event(
        circle=deputy.circle_id,
        kind=kind,
        payload={"member": person(deputy.member), "deputy": None},
        moderator_payload={"member": person(deputy.member), "deputy": person(deputy.deputy)},
        actor=actor,
    )


def _remove(deputy: Deputy, actor: Any, now: Any) -> None:
    deputy.removed_by, deputy.removed_at = actor, now
    deputy.save(update_fields=["removed_by", "removed_at"])
    DeputyChange.objects.create(
        circle_id=deputy.circle_id,
        member_id=deputy.member_id,
        deputy_id=deputy.deputy_id,
        action=DeputyChange.Action.REMOVED,
        actor=actor,
        at=now,
    )


def deputy_register(*, actor: Any, circle: Circle, member_id: int, deputy_id: int) -> Deputy:
    """Register ``deputy_id`` as the deputy of the circle's expert ``member_id``; an earlier
    deputy of that member is removed (both changes stay in the trail). The same deputy
    again changes nothing. Motions already open keep the deputies they took at opening."""
    _require(
        actor,
        "attendance.manage_deputies",
        circle,
        _("Nur die Moderation des Kreises trägt Vertretungen ein."),
    )
    member_id = _user_id(member_id, "member")
    deputy_id = _user_id(deputy_id, "deputy")
    if not Membership.objects.filter(
        circle=circle, user_id=member_id, role=Membership.Role.EXPERT
    ).exists():
        raise Invalid(
            _("Vertreten werden Expert:innen des Kreises; diese Person ist keine."),
            field="member",
        )
    if deputy_id == member_id:
        raise Invalid(_("Niemand kann sich selbst vertreten."), field="deputy")
    user = get_user_model().objects.filter(pk=deputy_id, is_active=True).first()
    if user is None:
        raise NotFound(_("Diese Person gibt es nicht."), field="deputy")
    now = timezone.now()
    with transaction.atomic():
        current = (
            Deputy.objects.select_for_update()
            .filter(circle=circle, member_id=member_id, removed_at__isnull=True)
            .first()
        )
        if current is not None and current.deputy_id == deputy_id:
            return Deputy.objects.select_related("member", "deputy").get(pk=current.pk)
        if current is not None:
            _remove(current, actor, now)
        try:
            with transaction.atomic():
                deputy = Deputy.objects.create(
                    circle=circle,
                    member_id=member_id,
                    deputy=user,
                    registered_by=actor,
                    registered_at=now,
                )
        except IntegrityError:
            raise Conflict(_("Die Vertretung wurde eben schon geändert.")) from None
        DeputyChange.objects.create(
            circle=circle,
            member_id=member_id,
            deputy=user,
            action=DeputyChange.Action.REGISTERED,
            actor=actor,
            at=now,
        )
        deputy = Deputy.objects.select_related("member", "deputy", "registered_by").get(
            pk=deputy.pk
        )
        _deputy_event("deputy.registered", deputy, actor)
    return deputy


def deputy_remove(*, actor: Any, circle: Circle, member_id: int) -> Deputy:
    """Remove the deputy of ``member_id`` (the row stays, stamped, and in the trail)."""
    _require(
        actor,
        "attendance.manage_deputies",
        circle,
        _("Nur die Moderation des Kreises trägt Vertretungen aus."),
    )
    member_id = _user_id(member_id, "member")
    with transaction.atomic():
        deputy = (
            Deputy.objects.select_for_update()
            .filter(circle=circle, member_id=member_id, removed_at__isnull=True)
            .first()
        )
        if deputy is None:
            raise NotFound(_("Dieses Mitglied hat keine Vertretung."), field="member")
        _remove(deputy, actor, timezone.now())
        deputy = Deputy.objects.select_related("member", "deputy", "removed_by").get(pk=deputy.pk)
        _deputy_event("deputy.removed", deputy, actor)
    return deputy


# --- what the vote asks (inside voting.services' transactions) ----------------------------


def motion_rule_options(
    *, circle: Circle, roll_call: bool = False, quorum_basis: str | None = None
) -> tuple[dict[str, Any], RollCall | None]:
    """The rule's attendance keys and the roll call a new motion will use.

    ``roll_call``: the motion uses the circle's last closed roll call (deputies may cast for
    the members absent from it). ``quorum_basis="present"`` counts the quorum over the
    eligible voters present at it, and implies ``roll_call``. Neither: ``({}, None)``, and the
    rule is exactly what it was before attendance existed."""
    basis = quorum_basis or MotionAttendance.QuorumBasis.ELIGIBLE
    if basis not in QUORUM_BASES:
        raise Invalid(
            _("Das Quorum bezieht sich auf alle Stimmberechtigten oder auf die anwesenden."),
            field="quorum_basis",
        )
    if basis == MotionAttendance.QuorumBasis.PRESENT:
        roll_call = True
    if not isinstance(roll_call, bool):
        raise Invalid(_("„roll_call“ ist wahr oder falsch."), field="roll_call")
    if not roll_call:
        return {}, None
    if selectors.open_roll_call(circle) is not None:
        raise Conflict(
            _("Die Anwesenheit wird gerade festgestellt; schließen Sie sie zuerst ab."),
            field="roll_call",
        )
    last = selectors.last_closed_roll_call(circle)
    if last is None:
        raise Conflict(
            _("Es gibt noch keine abgeschlossene Anwesenheitsfeststellung in diesem Kreis."),
            field="roll_call",
        )
    # The roll call's number goes into the rule, and so into the fingerprint published at
    # opening: a closed roll call never changes, so the members present are fixed by it.
    options: dict[str, Any] = {"roll_call": last.pk}
    if basis == MotionAttendance.QuorumBasis.PRESENT:
        options["quorum_basis"] = str(basis)
    return options, last


def motion_attendance_take(
    *, motion: Any, roll_call: RollCall, voter_ids: Iterable[int]
) -> MotionAttendance:
    """At opening: fix the eligible voters present at ``roll_call`` and give each absent
    eligible voter's registered deputy the right to cast that member's ballot.

    Precondition: inside the opening's transaction; ``motion.rule`` holds the options from
    ``motion_rule_options``."""
    voters = set(voter_ids)
    present = voters & selectors.present_ids(roll_call)
    basis = motion.rule.get("quorum_basis", MotionAttendance.QuorumBasis.ELIGIBLE)
    if basis == MotionAttendance.QuorumBasis.PRESENT and not present:
        raise Conflict(
            _("Keine stimmberechtigte Person war anwesend; ein Quorum der Anwesenden geht nicht."),
            field="quorum_basis",
        )
    attendance = MotionAttendance.objects.create(
        motion=motion, roll_call=roll_call, quorum_basis=basis, present_count=len(present)
    )
    DeputyBallotRight.objects.bulk_create(
        DeputyBallotRight(motion=motion, member_id=d.member_id, deputy_id=d.deputy_id)
        for d in selectors.active_deputies(motion.circle_id)
        if d.member_id in voters and d.member_id not in present
    )
    return attendance


def deputy_member(*, motion: Any, deputy: Any, member_id: Any) -> Any:
    """The absent member ``deputy`` casts for, or ``Forbidden``. Precondition: the caller
    holds the motion's lock."""
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise Invalid(_("Bitte geben Sie das vertretene Mitglied an."), field="for")
    right = (
        DeputyBallotRight.objects.filter(motion_id=motion.pk, member_id=member_id, deputy=deputy)
        .select_related("member")
        .first()
    )
    if right is None or not can(deputy, "attendance.cast_for_member", motion):
        raise Forbidden(
            _(
                "Sie vertreten diese Person bei dieser Abstimmung nicht: Vertretungen stimmen "
                "nur für Mitglieder, die bei der Anwesenheitsfeststellung fehlten."
            ),
            field="for",
        )
    return right.member


# Asked by every ballot (the command path, docs/performance.md "Round 2"): compiled once.
_deputy_right: Prepared[DeputyBallotRight] = Prepared(
    lambda motion, member: DeputyBallotRight.objects.filter(
        motion_id=motion, member_id=member
    ).order_by("pk")[:1]
)


def ballot_check(*, motion: Any, voter: Any, deputy: Any | None, has_ballot: bool) -> None:
    """Never both: a member whose deputy cast, or a deputy whose member cast, is refused.
    Precondition: the caller holds the motion's lock."""
    right = _deputy_right.first(motion.pk, voter.pk)
    if right is None:
        return
    if deputy is None and right.used:
        raise Conflict(_("Ihre Vertretung hat für Sie bereits abgestimmt."))
    if deputy is not None and has_ballot and not right.used:
        raise Conflict(
            _("Das Mitglied hat selbst abgestimmt; die Vertretung kann nicht auch abstimmen.")
        )


def ballot_noted(*, motion: Any, voter: Any, deputy: Any | None) -> None:
    """Remember that the deputy, not the member, cast the member's ballot."""
    if deputy is not None:
        DeputyBallotRight.objects.filter(motion_id=motion.pk, member=voter).update(used=True)


def motion_record_section(*, motion: Any) -> dict[str, Any] | None:
    """The record's ``attendance`` part (``selectors.motion_record_section``), at close.

    For a secret motion every deputy right is rewritten in the close's transaction, so no
    row's transaction id tells when a deputy cast (and thus which ballot was theirs)."""
    if motion.secret:
        DeputyBallotRight.objects.filter(motion_id=motion.pk).update(used=F("used"))
    return selectors.motion_record_section(motion)
