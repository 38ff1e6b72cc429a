"""Every write of the vote. Keyword-only, actor first; each checks access, writes in one
transaction, records its room event there and leaves the broadcast to after commit.

Lock order, the same everywhere so concurrent writers cannot deadlock: motion → goal →
circles (``deliberation.services.goal_transition`` takes goal → circles; ``record_event``
takes the circle). Nothing here takes a circle before a motion or a goal.

The count itself is ``voting.tally.count``: a pure function, published with every result.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import selectors as attendance_selectors
from attendance import services as attendance_services
from deliberation import services as deliberation_services
from deliberation.eventlog import record_event
from deliberation.models import Circle, Goal, GoalVersion, Membership
from deliberation.rounds.dispositions import vote_reasons_record
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.times import utc_iso, utc_iso_or_none
from voting import payloads, selectors, tally
from voting.live import announce_concept_change
from voting.models import (
    REJECTED_GOAL_STATUSES,
    Ballot,
    ConceptEntry,
    EligibleVoter,
    Motion,
    MotionAlternative,
    Result,
)

REASON_MAX_LENGTH = 2000
ALTERNATIVES_MIN = 2
ALTERNATIVES_MAX = 8
ALTERNATIVE_LABELS = "ABCDEFGH"
BATCH_MAX = 20

logger = logging.getLogger(__name__)

# The defaults of each method. "More than half" is expressed explicitly as the mode
# ``more_than`` with 1/2, so a 50:50 tie is not a majority; consent needs at least 2/3.
DEFAULT_QUORUM = Fraction(1, 2)
DEFAULT_THRESHOLD = {tally.CONSENT: Fraction(2, 3), tally.MAJORITY: Fraction(1, 2)}
DEFAULT_THRESHOLD_MODE = {tally.CONSENT: tally.AT_LEAST, tally.MAJORITY: tally.MORE_THAN}


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is None or not can(actor, perm, obj):
        raise Forbidden(message)


def _share(value: Any, default: Fraction, field: str) -> Fraction:
    if value is None or value == "":
        return default
    try:
        return tally.parse_share(value if isinstance(value, Fraction) else str(value), name=field)
    except tally.RecordError:
        raise Invalid(
            _(
                "%(field)s muss ein Anteil zwischen 0 und 1 sein, z. B. 2/3 oder 0.5 "
                "(höchstens sechs Ziffern je Zahl, ohne Exponent)."
            )
            % {"field": field},
            field=field,
        ) from None


def build_rule(
    *,
    method: str,
    quorum: Any = None,
    threshold: Any = None,
    threshold_mode: str | None = None,
    veto_blocks: bool = True,
    secret: bool = False,
    changeable: bool = True,
    deadline: datetime | None = None,
) -> dict[str, Any]:
    """Validate the options of a vote and return the rule snapshot fixed at opening."""
    if method not in tally.METHODS:
        raise Invalid(_("Unbekanntes Verfahren: %(m)s") % {"m": method}, field="method")
    rule: dict[str, Any] = {
        "method": method,
        "quorum": tally.format_share(_share(quorum, DEFAULT_QUORUM, "quorum")),
        "secret": bool(secret),
        "changeable": bool(changeable),
        "deadline": utc_iso_or_none(deadline),
    }
    if method in (tally.CONSENT, tally.MAJORITY):
        share = _share(threshold, DEFAULT_THRESHOLD[method], "threshold")
        if share == 0:
            raise Invalid(_("Die Schwelle muss größer als 0 sein."), field="threshold")
        mode = threshold_mode or DEFAULT_THRESHOLD_MODE[method]
        if mode not in tally.THRESHOLD_MODES:
            raise Invalid(_("Unbekannte Schwellenart: %(m)s") % {"m": mode}, field="threshold_mode")
        rule["threshold"] = tally.format_share(share)
        rule["threshold_mode"] = mode
    if method == tally.CONSENT:
        rule["veto_blocks"] = bool(veto_blocks)
    tally.check_rule(rule)
    return rule


def _clean_alternatives(method: str, alternatives: Sequence[str] | None) -> list[str]:
    texts = [(text or "").strip() for text in (alternatives or [])]
    if method != tally.RESISTANCE:
        if texts:
            raise Invalid(
                _("Alternative Fassungen gibt es nur bei der Widerstandsabfrage."),
                field="alternatives",
            )
        return []
    texts = [text for text in texts if text]
    if not ALTERNATIVES_MIN <= len(texts) <= ALTERNATIVES_MAX:
        raise Invalid(
            _("Eine Widerstandsabfrage braucht %(min)s bis %(max)s Fassungen.")
            % {"min": ALTERNATIVES_MIN, "max": ALTERNATIVES_MAX},
            field="alternatives",
        )
    if len(set(texts)) != len(texts):
        raise Invalid(_("Zwei Fassungen sind gleich."), field="alternatives")
    return texts


def _motion_ref(motion: Motion) -> dict[str, Any]:
    return {
        "id": motion.pk,
        "circle": motion.circle.slug,
        "goal": {"id": motion.goal_id, "title": motion.goal.title},
        "opened_at": utc_iso(motion.opened_at),
    }


def _subject(motion: Motion, alternatives: list[MotionAlternative]) -> dict[str, Any]:
    """What is voted on, exactly: the version's text, or the alternatives' texts."""
    version = motion.version
    subject: dict[str, Any] = {
        "version": {"id": version.pk, "number": version.number, "text": version.text}
    }
    if alternatives:
        subject["alternatives"] = [{"label": a.label, "text": a.text} for a in alternatives]
    return subject


def motions_open(
    *,
    actor: Any,
    circle: Circle,
    goal_ids: Sequence[int],
    method: str,
    quorum: Any = None,
    threshold: Any = None,
    threshold_mode: str | None = None,
    veto_blocks: bool = True,
    secret: bool = False,
    changeable: bool = True,
    deadline: datetime | None = None,
    alternatives: Sequence[str] | None = None,
    rejected_goal_status: str = Goal.Status.REVISED,
    roll_call: bool = False,
    quorum_basis: str | None = None,
) -> list[Motion]:
    """Open one motion per goal, all under the same rule, in one transaction: all or none.

    Each goal must belong to the circle's action field and be in discussion or revised; it
    goes into status ``in_vote`` on its current version. The circle's experts at this moment
    are the eligible voters (a snapshot). ``alternatives`` (2–8 wordings) is for a single goal
    under ``resistance`` only. ``roll_call`` / ``quorum_basis="present"``: the motion uses the
    circle's last closed roll call (deputies of absent members, the quorum over the members
    present; ``attendance.services.motion_rule_options``).
    """
    _require(
        actor,
        "voting.open_motion",
        circle,
        _("Nur die Moderation des Kreises kann eine Abstimmung eröffnen."),
    )
    rule = build_rule(
        method=method,
        quorum=quorum,
        threshold=threshold,
        threshold_mode=threshold_mode,
        veto_blocks=veto_blocks,
        secret=secret,
        changeable=changeable,
        deadline=deadline,
    )
    extra, roll_call_used = attendance_services.motion_rule_options(
        circle=circle, roll_call=roll_call, quorum_basis=quorum_basis
    )
    rule.update(extra)
    tally.check_rule(rule)
    texts = _clean_alternatives(method, alternatives)
    ids = list(dict.fromkeys(goal_ids))
    if not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise Invalid(_("Bitte wählen Sie mindestens ein Ziel."), field="goals")
    if len(ids) > BATCH_MAX:
        raise Invalid(_("Höchstens %(n)s Ziele auf einmal.") % {"n": BATCH_MAX}, field="goals")
    if method == tally.RESISTANCE and len(ids) != 1:
        raise Invalid(_("Eine Widerstandsabfrage gilt genau einem Ziel."), field="goals")
    now = timezone.now()
    if deadline is not None and (timezone.is_naive(deadline) or deadline <= now):
        raise Invalid(_("Die Frist muss in der Zukunft liegen."), field="deadline")
    if rejected_goal_status not in dict(REJECTED_GOAL_STATUSES):
        raise Invalid(
            _("Bei Ablehnung geht ein Ziel zurück in „Überarbeitet“ oder wird abgelehnt."),
            field="rejected_goal_status",
        )
    motions: list[Motion] = []
    with transaction.atomic():
        voters = list(
            Membership.objects.filter(circle=circle, role=Membership.Role.EXPERT)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        if not voters:
            raise Conflict(_("Der Kreis hat keine Expert:innen; niemand könnte abstimmen."))
        for goal_id in ids:
            goal = Goal.objects.filter(pk=goal_id, action_field_id=circle.action_field_id).first()
            if goal is None:
                raise NotFound(
                    _("Ziel %(id)s gehört nicht zu diesem Kreis.") % {"id": goal_id},
                    field="goals",
                )
            if goal.status not in (Goal.Status.IN_DISCUSSION, Goal.Status.REVISED):
                raise Conflict(
                    _(
                        "„%(title)s“ ist im Status „%(s)s“; abgestimmt wird nur über Ziele in "
                        "Diskussion oder überarbeitete Ziele."
                    )
                    % {"title": goal.title, "s": Goal.Status(goal.status).label},
                    field="goals",
                )
            # goal → circles locks; the transition refuses a goal that is already in vote.
            goal = deliberation_services.goal_transition(
                actor=actor, goal=goal, to_status=Goal.Status.IN_VOTE
            )
            if goal.current_version_id is None:
                raise Conflict(_("Das Ziel hat keine Fassung."), field="goals")
            motion = Motion.objects.create(
                circle=circle,
                goal=goal,
                version_id=goal.current_version_id,
                method=method,
                rule=rule,
                secret=bool(secret),
                changeable=bool(changeable),
                deadline=deadline,
                rejected_goal_status=rejected_goal_status,
                voter_key_salt=secrets.token_hex(32),
                opened_by=actor,
                opened_at=now,
            )
            MotionAlternative.objects.bulk_create(
                MotionAlternative(motion=motion, label=ALTERNATIVE_LABELS[i], text=text, order=i)
                for i, text in enumerate(texts)
            )
            EligibleVoter.objects.bulk_create(
                EligibleVoter(motion=motion, user_id=user_id) for user_id in voters
            )
            if roll_call_used is not None:
                attendance_services.motion_attendance_take(
                    motion=motion, roll_call=roll_call_used, voter_ids=voters
                )
            motion = Motion.objects.select_related("circle", "goal", "version", "opened_by").get(
                pk=motion.pk
            )
            # The commitment: fixed and published now, repeated in the record at close.
            motion.commitment = tally.commitment(
                motion=_motion_ref(motion),
                rule=rule,
                subject=_subject(motion, list(motion.alternatives.order_by("order"))),
                voter_ids=voters,
                # Which absent members' deputies may cast: fixed now, checked at close.
                represented_ids=(
                    attendance_selectors.represented_ids(motion)
                    if roll_call_used is not None
                    else None
                ),
            )
            motion.fingerprint = tally.digest(motion.commitment)
            motion.save(update_fields=["commitment", "fingerprint"])
            record_event(
                circle=circle,
                kind="motion.opened",
                payload={"motion": payloads.motion_data(motion, turnout=0, eligible=len(voters))},
                actor=actor,
            )
            motions.append(motion)
    return motions


def motion_open(*, actor: Any, circle: Circle, goal_id: int, **options: Any) -> Motion:
    """Open a single motion; see ``motions_open`` for the options."""
    return motions_open(actor=actor, circle=circle, goal_ids=[goal_id], **options)[0]


# --- ballots ---------------------------------------------------------------------------------


def _clean_ballot(
    motion: Motion, choice: Any, reason: Any, resistances: Any
) -> tuple[str, dict[str, int] | None, str]:
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise Invalid(_("Die Begründung muss Text sein."), field="reason")
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise Invalid(
            _("Eine Begründung darf höchstens %(n)s Zeichen lang sein.") % {"n": REASON_MAX_LENGTH},
            field="reason",
        )
    if motion.method == tally.RESISTANCE:
        if choice:
            raise Invalid(
                _("Bei der Widerstandsabfrage bewerten Sie jede Fassung von 0 bis 10."),
                field="choice",
            )
        labels = [alt.label for alt in motion.alternatives.all()]
        if not isinstance(resistances, dict) or sorted(resistances) != sorted(labels):
            raise Invalid(
                _("Bitte geben Sie für jede Fassung (%(labels)s) einen Widerstand von 0 bis 10 an.")
                % {"labels": ", ".join(labels)},
                field="resistances",
            )
        values: dict[str, int] = {}
        for label, value in resistances.items():
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not tally.RESISTANCE_MIN <= value <= tally.RESISTANCE_MAX
            ):
                raise Invalid(
                    _("Der Widerstand gegen %(label)s muss eine ganze Zahl von 0 bis 10 sein.")
                    % {"label": label},
                    field="resistances",
                )
            values[str(label)] = value
        return "", values, reason
    if resistances:
        raise Invalid(_("Widerstände gibt es nur bei der Widerstandsabfrage."), field="resistances")
    if choice not in tally.CHOICES[motion.method]:
        raise Invalid(_("„%(c)s“ ist hier keine Wahlmöglichkeit.") % {"c": choice}, field="choice")
    if choice == "veto" and not reason:
        raise Invalid(_("Ein Veto braucht eine Begründung."), field="reason")
    return str(choice), None, reason


def _deadline_passed(motion: Motion, now: datetime) -> bool:
    return motion.deadline is not None and now >= motion.deadline


def ballot_cast(
    *,
    actor: Any,
    motion_id: int,
    choice: str = "",
    reason: str = "",
    resistances: dict[str, int] | None = None,
    on_behalf_of: int | None = None,
) -> tuple[Ballot, bool]:
    """Cast (or, if the rule allows, change) the actor's ballot. Returns ``(ballot, created)``.

    Refused: after close or deadline (``Conflict``), by anyone not in the eligibility
    snapshot (``Forbidden``), a second ballot when ballots are not changeable (``Conflict``).
    Holds the motion's row lock, so concurrent casts serialise; the database's unique
    (motion, voter key) is the last line. A new ballot records ``motion.turnout`` (a count;
    for a secret motion without an actor, so not even the log says who voted).

    ``on_behalf_of``: the actor is a deputy and casts the ballot of that absent member
    (``attendance.services``): filed under the member's key, never both the member's and
    the deputy's.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Bitte melden Sie sich an, um abzustimmen."))
    deadline_passed = False
    with transaction.atomic():
        motion = selectors.locked_motion(motion_id)
        if motion is None or not can(actor, "voting.view_motion", motion):
            raise NotFound(_("Diese Abstimmung gibt es nicht."), field="motion")
        if motion.status != Motion.Status.OPEN:
            raise Conflict(
                _("Die Abstimmung ist geschlossen; es werden keine Stimmen mehr angenommen.")
            )
        now = timezone.now()
        if _deadline_passed(motion, now):
            deadline_passed = True
        else:
            deputy = actor if on_behalf_of is not None else None
            voter = actor
            if deputy is not None:
                voter = attendance_services.deputy_member(
                    motion=motion, deputy=deputy, member_id=on_behalf_of
                )
            elif not can(actor, "voting.cast_ballot", motion):
                raise Forbidden(_("Sie sind bei dieser Abstimmung nicht stimmberechtigt."))
            choice, values, reason = _clean_ballot(motion, choice, reason, resistances)
            key = selectors.voter_key(motion, voter)
            ballot = selectors.ballot_by_key(motion, key)
            attendance_services.ballot_check(
                motion=motion, voter=voter, deputy=deputy, has_ballot=ballot is not None
            )
            if ballot is not None:
                if not motion.changeable:
                    raise Conflict(
                        _(
                            "Sie haben bereits abgestimmt; bei dieser Abstimmung ist die Stimme "
                            "nicht änderbar."
                        )
                    )
                ballot.choice, ballot.resistances, ballot.reason = choice, values, reason
                ballot.changed_at = None if motion.secret else now
                ballot.save(update_fields=["choice", "resistances", "reason", "changed_at"])
                return ballot, False
            # The invariant the close relies on, checked under the motion's lock whatever the
            # permission rules say: a new ballot only from the snapshot, never one too many.
            if not selectors.is_eligible(motion, voter):
                logger.warning(
                    "motion %s: refused a ballot for ineligible user %s", motion.pk, voter.pk
                )
                raise Forbidden(_("Sie sind bei dieser Abstimmung nicht stimmberechtigt."))
            turnout = selectors.motion_turnout(motion)
            eligible = selectors.motion_eligible_count(motion)
            if turnout >= eligible:
                logger.error(
                    "motion %s: %s ballots for %s eligible voters; refused one more",
                    motion.pk,
                    turnout,
                    eligible,
                )
                raise Conflict(
                    _(
                        "Für diese Abstimmung liegen schon so viele Stimmen vor, wie es "
                        "Stimmberechtigte gibt; es wird keine weitere angenommen."
                    )
                )
            try:
                with transaction.atomic():
                    ballot = Ballot.objects.create(
                        motion=motion,
                        voter_key=key,
                        voter=None if motion.secret else voter,
                        choice=choice,
                        resistances=values,
                        reason=reason,
                        cast_at=None if motion.secret else now,
                    )
            except IntegrityError:
                raise Conflict(_("Sie haben bereits abgestimmt.")) from None
            attendance_services.ballot_noted(motion=motion, voter=voter, deputy=deputy)
            record_event(
                circle=motion.circle,
                kind="motion.turnout",
                payload=payloads.turnout_data(motion, turnout=turnout + 1, eligible=eligible),
                actor=None if motion.secret else actor,
            )
            return ballot, True
    # Outside the refused transaction, so the close is not rolled back with it.
    assert deadline_passed
    motion_close_if_due(motion_id=motion_id)
    raise Conflict(_("Die Frist ist abgelaufen; die Abstimmung ist geschlossen."))


# --- close and result ------------------------------------------------------------------------


def _ballot_entry(ballot: Ballot, motion: Motion) -> dict[str, Any]:
    entry: dict[str, Any] = {"reason": ballot.reason}
    if motion.method == tally.RESISTANCE:
        entry["resistances"] = ballot.resistances
    else:
        entry["choice"] = ballot.choice
    if not motion.secret and ballot.voter is not None:
        entry["voter"] = {
            "id": ballot.voter.pk,
            "name": ballot.voter.get_full_name() or ballot.voter.get_username(),
        }
    return entry


def _record(
    motion: Motion,
    alternatives: list[MotionAlternative],
    voter_ids: list[int],
    took_part: list[int],
    ballots: list[dict[str, Any]],
    counted: dict[str, Any],
) -> dict[str, Any]:
    """The canonical record: everything needed to recount and to check the commitment made
    at opening (who could and who did vote), and nothing that ties a choice to a voter of a
    secret motion."""
    assert motion.closed_at is not None
    record: dict[str, Any] = {
        "format": tally.FORMAT,
        "motion": {**_motion_ref(motion), "closed_at": utc_iso(motion.closed_at)},
        "rule": motion.rule,
        "subject": _subject(motion, alternatives),
        "eligible": len(voter_ids),
        "cast": len(ballots),
        "electorate": {"voters": sorted(voter_ids), "took_part": sorted(took_part)},
        "opening": motion.commitment,
        "fingerprint": motion.fingerprint,
        "ballots": ballots,
        "result": counted,
    }
    if not motion.commitment:  # opened before commitments existed: the old format
        record = {key: record[key] for key in ("motion", "rule", "subject", "eligible")} | {
            "format": tally.FORMAT_V1,
            "ballots": ballots,
            "result": counted,
        }
    return record


def _refuse_close(motion: Motion, problem: str) -> Conflict:
    """Log an inconsistency found at close and build the refusal; the motion stays open."""
    logger.error("motion %s cannot be closed: %s", motion.pk, problem)
    return Conflict(
        _(
            "Die Abstimmung kann nicht ausgezählt werden, weil ihre Stimmzettel nicht zu den "
            "Stimmberechtigten passen (%(problem)s). Sie bleibt offen; der Betrieb ist "
            "informiert."
        )
        % {"problem": problem}
    )


def _took_part(motion: Motion, rows: list[Ballot], voter_ids: list[int]) -> list[int]:
    """Who cast the ballots ``rows``, found by their voter keys; refuses (``Conflict``) a
    ballot that belongs to nobody eligible. Precondition: the salt is still there (the
    caller holds the motion's lock and has not erased it)."""
    owner = {selectors.voter_key_for(motion, user_id): user_id for user_id in voter_ids}
    took_part: list[int] = []
    for row in rows:
        user_id = owner.get(row.voter_key)
        if user_id is None or (row.voter_id is not None and row.voter_id != user_id):
            raise _refuse_close(
                motion, _("ein Stimmzettel gehört niemandem, der stimmberechtigt ist")
            )
        took_part.append(user_id)
    if len(took_part) != len(set(took_part)):
        raise _refuse_close(motion, _("eine Person hat mehr als einen Stimmzettel"))
    return took_part


def _forget_secret_ballots(motion: Motion, entries: list[dict[str, Any]]) -> None:
    """Rewrite a secret motion's ballots so that nothing stored ties a choice to a voter or
    to a cast time: the rows are deleted and inserted again in this (the closing)
    transaction, so they all carry its transaction id; in canonical order (the order of the
    published record, a function of the choices only), so their physical order says nothing;
    with fresh random ids and random keys, no voter and no timestamp. Precondition: the
    caller holds the motion's lock and the entries are in canonical order."""
    Ballot.objects.filter(motion=motion).delete()
    Ballot.objects.bulk_create(
        Ballot(
            motion=motion,
            voter_key=secrets.token_hex(32),
            voter=None,
            choice=entry.get("choice", ""),
            resistances=entry.get("resistances"),
            reason=entry["reason"],
            cast_at=None,
            changed_at=None,
        )
        for entry in entries
    )


# The consent choices whose reasons go to the goal's next revision round, and as what.
REASON_KINDS = {"consent_with_concerns": "concern", "veto": "veto"}


def _hand_reasons_to_revision(motion: Motion, rows: list[Ballot], closed_at: datetime) -> None:
    """The concerns and vetoes become feedback of the goal (``deliberation``): its next
    round in the room evaluates them. A secret vote's go without author, in an order of
    their text (``vote_reasons_record``). Precondition: in the closing transaction, with
    the ballots as cast (``rows``)."""
    if motion.method != tally.CONSENT:
        return
    vote_reasons_record(
        goal=motion.goal,
        circle=motion.circle,
        motion_id=motion.pk,
        reasons=[
            (REASON_KINDS[row.choice], row.reason, None if motion.secret else row.voter)
            for row in rows
            if row.choice in REASON_KINDS and row.reason.strip()
        ],
        closed_at=closed_at,
        secret=motion.secret,
    )


def _close(
    *, motion_id: int, actor: Any | None, rejected_goal_status: str | None, now: datetime
) -> Result:
    """Close, count, record and promote. Precondition: access checked by the caller."""
    with transaction.atomic():
        motion = (
            Motion.objects.select_for_update(of=("self",))
            .select_related("circle", "goal", "version")
            .filter(pk=motion_id)
            .first()
        )
        if motion is None:
            raise NotFound(_("Diese Abstimmung gibt es nicht."), field="motion")
        if motion.status != Motion.Status.OPEN:
            raise Conflict(_("Die Abstimmung ist bereits geschlossen."))
        alternatives = list(motion.alternatives.order_by("order"))
        voter_ids = list(
            EligibleVoter.objects.filter(motion=motion)
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        eligible = len(voter_ids)
        rows = list(motion.ballots.select_related("voter"))
        if len(rows) > eligible:
            raise _refuse_close(
                motion,
                _("%(n)s Stimmzettel bei %(m)s Stimmberechtigten")
                % {"n": len(rows), "m": eligible},
            )
        took_part = _took_part(motion, rows, voter_ids)
        ballots = tally.sort_ballots([_ballot_entry(b, motion) for b in rows])
        try:
            counted = tally.count(
                motion.rule,
                eligible,
                ballots,
                [a.label for a in alternatives],
                present=attendance_selectors.motion_present_count(motion),
            )
        except tally.RecordError as exc:
            raise _refuse_close(motion, str(exc)) from None
        EligibleVoter.objects.filter(motion=motion).update(took_part=False)
        EligibleVoter.objects.filter(motion=motion, user_id__in=took_part).update(took_part=True)
        if motion.secret:
            _forget_secret_ballots(motion, ballots)

        motion.status = Motion.Status.CLOSED
        motion.closed_by = actor
        # A motion that ran out of time closed at its deadline, whenever we noticed.
        motion.closed_at = motion.deadline if _deadline_passed(motion, now) else now
        if motion.secret:
            motion.voter_key_salt = ""  # from now on no ballot can be linked to anybody
        motion.save(update_fields=["status", "closed_by", "closed_at", "voter_key_salt"])

        closed_at = motion.closed_at
        assert closed_at is not None
        _hand_reasons_to_revision(motion, rows, closed_at)
        record = _record(motion, alternatives, voter_ids, took_part, ballots, counted)
        attendance = attendance_services.motion_record_section(motion=motion)
        if attendance is not None:  # the roll call and the deputies, in the digest too
            record["attendance"] = attendance
        adopted = counted["outcome"] == tally.ADOPTED
        goal_status = (
            Goal.Status.ADOPTED
            if adopted
            else (rejected_goal_status or motion.rejected_goal_status)
        )
        winner = next((a for a in alternatives if a.label == counted["winner"]), None)
        result = Result.objects.create(
            motion=motion,
            rule=motion.rule,
            eligible_count=eligible,
            participant_count=counted["participants"],
            counts=counted["counts"],
            quorum_met=counted["quorum_met"],
            outcome=counted["outcome"],
            winner=winner,
            goal_status=goal_status,
            closed_at=closed_at,
            record=record,
            digest=tally.digest(record),
        )
        reason = _("Abstimmung Nr. %(id)s: %(outcome)s") % {
            "id": motion.pk,
            "outcome": Result.Outcome(result.outcome).label,
        }
        if adopted:
            version: GoalVersion = motion.version
            if winner is not None and winner.text.strip() != motion.version.text.strip():
                version = deliberation_services.goal_version_create(
                    actor=actor,
                    goal=motion.goal,
                    text=winner.text,
                    change_note=_("Fassung %(label)s, gewählt in Abstimmung Nr. %(id)s")
                    % {"label": winner.label, "id": motion.pk},
                    from_vote=True,
                )
            deliberation_services.goal_transition(
                actor=actor, goal=motion.goal, to_status=Goal.Status.ADOPTED, reason=reason
            )
            ConceptEntry.objects.create(
                goal=motion.goal, version=version, motion=motion, adopted_at=closed_at
            )
            announce_concept_change(motion.goal.action_field.concept_id)
        else:
            deliberation_services.goal_transition(
                actor=actor, goal=motion.goal, to_status=goal_status, reason=reason
            )
        motion = Motion.objects.select_related("goal", "version", "opened_by", "result").get(
            pk=motion.pk
        )
        record_event(
            circle=motion.circle_id,
            kind="motion.closed",
            payload={
                "motion": payloads.motion_data(
                    motion, turnout=counted["participants"], eligible=eligible
                )
            },
            actor=actor,
        )
    return result


def motion_close(*, actor: Any, motion_id: int, rejected_goal_status: str | None = None) -> Result:
    """The moderator closes a motion: count, publish the result, promote or send back.

    ``rejected_goal_status`` (``revised`` or ``rejected``) overrides the choice made at
    opening for where the goal goes if it is not adopted."""
    motion = Motion.objects.select_related("circle").filter(pk=motion_id).first()
    if motion is None or actor is None or not can(actor, "voting.view_motion", motion):
        raise NotFound(_("Diese Abstimmung gibt es nicht."), field="motion")
    _require(
        actor,
        "voting.close_motion",
        motion,
        _("Nur die Moderation des Kreises kann eine Abstimmung schließen."),
    )
    if rejected_goal_status not in (None, "", *dict(REJECTED_GOAL_STATUSES)):
        raise Invalid(
            _("Bei Ablehnung geht ein Ziel zurück in „Überarbeitet“ oder wird abgelehnt."),
            field="rejected_goal_status",
        )
    return _close(
        motion_id=motion_id,
        actor=actor,
        rejected_goal_status=rejected_goal_status or None,
        now=timezone.now(),
    )


def motion_close_if_due(*, motion_id: int, now: datetime | None = None) -> Result | None:
    """Close the motion if its deadline has passed (the server's own hand, no actor).

    Cheap when nothing is due; safe to call from any read. Returns the new result, or None."""
    now = now or timezone.now()
    if not Motion.objects.filter(
        pk=motion_id, status=Motion.Status.OPEN, deadline__lte=now
    ).exists():
        return None
    try:
        return _close(motion_id=motion_id, actor=None, rejected_goal_status=None, now=now)
    except Conflict:
        return None  # someone else closed it a moment ago


def motions_close_due(*, now: datetime | None = None, circle: Circle | None = None) -> list[Result]:
    """Close every open motion (of ``circle``, or all) whose deadline has passed. Run it
    every minute (``manage.py close_due_motions``); reads and casts also close lazily."""
    now = now or timezone.now()
    results = []
    for motion_id in selectors.due_motion_ids(now, circle=circle):
        result = motion_close_if_due(motion_id=motion_id, now=now)
        if result is not None:
            results.append(result)
    return results
