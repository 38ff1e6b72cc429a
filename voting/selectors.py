"""Every read of the vote that a door needs, with its queries bounded.

Nothing here reveals a tally before close: counts per choice exist only on ``Result``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from deliberation.models import ActionField, Circle, Concept
from kernel.prepared import Prepared
from voting.models import Ballot, ConceptEntry, EligibleVoter, Motion, MotionAlternative


def voter_key(motion: Motion, user: Any) -> str:
    """The key a voter's ballot is filed under: HMAC-SHA256 over the motion's salt, the motion
    and the user. Without the salt (erased at the close of a secret motion) it links nothing.

    Precondition: ``motion.voter_key_salt`` is set (the motion is open, or open-ballot)."""
    return voter_key_for(motion, user.pk)


def voter_key_for(motion: Motion, user_id: int) -> str:
    """``voter_key`` by the user's id (the close finds who took part this way)."""
    if not motion.voter_key_salt:
        raise ValueError("this motion's voter keys are erased")
    message = f"{motion.voter_key_salt}:{motion.pk}:{user_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _motions() -> QuerySet[Motion]:
    return (
        Motion.objects.select_related(
            "circle__action_field", "goal", "version", "opened_by", "closed_by", "result__winner"
        )
        .prefetch_related(
            Prefetch("alternatives", queryset=MotionAlternative.objects.order_by("order"))
        )
        .annotate(
            turnout=_count_per_motion(Ballot), eligible_count=_count_per_motion(EligibleVoter)
        )
    )


def _count_per_motion(model: type[Ballot] | type[EligibleVoter]) -> Coalesce:
    # A subquery each, not two joins: joining ballots and eligible voters would multiply rows.
    rows = (
        model.objects.filter(motion=OuterRef("pk"))
        .order_by()
        .values("motion")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def motion_by_id(motion_id: int) -> Motion | None:
    """One motion with its circle, goal, version, alternatives, result and the annotations
    ``turnout`` and ``eligible_count``."""
    return _motions().filter(pk=motion_id).first()


def circle_motions(circle: Circle, *, status: str | None = None) -> QuerySet[Motion]:
    """A circle's motions, newest first, annotated like ``motion_by_id``."""
    motions = _motions().filter(circle=circle)
    if status is not None:
        motions = motions.filter(status=status)
    return motions.order_by("-opened_at", "-pk")


def goal_motions(goal_id: int) -> QuerySet[Motion]:
    """Every vote a goal went through, oldest first (its trail)."""
    return _motions().filter(goal_id=goal_id).order_by("opened_at", "pk")


# Asked by every ballot (the command path, docs/performance.md "Round 2"): compiled once.
_motion_circle: Prepared[Motion] = Prepared(
    lambda motion: Motion.objects.filter(pk=motion).order_by().values_list("circle_id")[:1]
)
_turnout: Prepared[Ballot] = Prepared(
    lambda motion: (
        Ballot.objects.filter(motion_id=motion)
        .order_by()
        .values("motion_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )
)
_eligible_count: Prepared[EligibleVoter] = Prepared(
    lambda motion: (
        EligibleVoter.objects.filter(motion_id=motion)
        .order_by()
        .values("motion_id")
        .annotate(n=Count("pk"))
        .values_list("n")
    )
)
_eligible: Prepared[EligibleVoter] = Prepared(
    lambda motion, user: (
        EligibleVoter.objects.filter(motion_id=motion, user_id=user)
        .order_by()
        .values_list("pk")[:1]
    )
)


_motion_for_update: Prepared[Motion] = Prepared(
    lambda motion: Motion.objects.select_for_update(of=("self",)).filter(pk=motion).order_by()[:1]
)
_circle_by_pk: Prepared[Circle] = Prepared(
    lambda circle: Circle.objects.filter(pk=circle).order_by()[:1]
)
_ballot_by_key: Prepared[Ballot] = Prepared(
    lambda motion, key: Ballot.objects.filter(motion_id=motion, voter_key=key).order_by()[:1],
    int,
    str,
)


def locked_motion(motion_id: Any) -> Motion | None:
    """The motion under its row lock (``ballot_cast``), with its circle. Precondition: in a
    transaction."""
    if not isinstance(motion_id, int) or isinstance(motion_id, bool):
        return (
            Motion.objects.select_for_update(of=("self",))
            .select_related("circle")
            .filter(pk=motion_id)
            .first()
        )
    motion = _motion_for_update.first(motion_id)
    if motion is not None:
        motion.circle = _circle_by_pk.first(motion.circle_id)  # type: ignore[assignment]
    return motion


def ballot_by_key(motion: Motion, key: str) -> Ballot | None:
    """The ballot filed under ``key`` (``voter_key``) in ``motion``, if any."""
    return _ballot_by_key.first(motion.pk, key)


def motion_circle_id(motion_id: int) -> int | None:
    """The circle of motion ``motion_id`` (None: no such motion)."""
    rows = _motion_circle.rows(motion_id)
    return int(rows[0][0]) if rows else None


def motion_turnout(motion: Motion) -> int:
    """How many ballots are in (never whose, never what)."""
    rows = _turnout.rows(motion.pk)
    return int(rows[0][0]) if rows else 0


def motion_eligible_count(motion: Motion) -> int:
    rows = _eligible_count.rows(motion.pk)
    return int(rows[0][0]) if rows else 0


def is_eligible(motion: Motion, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(_eligible.rows(motion.pk, user.pk))


def my_ballot(motion: Motion, user: Any) -> Ballot | None:
    """``user``'s own ballot; None if they cast none, or the motion was secret and is closed
    (its voter keys are erased, so nobody can tell any more which ballot was theirs)."""
    if not getattr(user, "is_authenticated", False) or not motion.voter_key_salt:
        return None
    return Ballot.objects.filter(motion=motion, voter_key=voter_key(motion, user)).first()


def due_motion_ids(now: Any, *, circle: Circle | None = None) -> list[int]:
    """Open motions whose deadline has passed (of one circle, or all)."""
    motions = Motion.objects.filter(status=Motion.Status.OPEN, deadline__lte=now)
    if circle is not None:
        motions = motions.filter(circle=circle)
    return list(motions.order_by("deadline", "pk").values_list("pk", flat=True))


def goals_ready_for_vote(circle: Circle) -> QuerySet[Any]:
    """The goals of the circle's action field that a motion may be opened on."""
    from deliberation.models import Goal

    return (
        Goal.objects.filter(
            action_field_id=circle.action_field_id,
            status__in=[Goal.Status.IN_DISCUSSION, Goal.Status.REVISED],
        )
        .select_related("current_version")
        .order_by("order", "pk")
    )


@dataclass
class ConceptSection:
    """One action field of the concept document with its adopted goals in order."""

    action_field: ActionField
    entries: list[ConceptEntry] = field(default_factory=list)


def concept_document(concept: Concept) -> list[ConceptSection]:
    """The concept's action fields in order, each with its adopted goals in goal order and
    exactly the versions voted on. Two queries whatever the size."""
    fields = list(concept.action_fields.order_by("order", "pk"))
    sections = {f.pk: ConceptSection(action_field=f) for f in fields}
    entries = (
        ConceptEntry.objects.filter(goal__action_field__concept=concept)
        .select_related("goal", "version", "motion__result", "motion__circle")
        .order_by("goal__order", "goal__pk")
    )
    for entry in entries:
        sections[entry.goal.action_field_id].entries.append(entry)
    return [sections[f.pk] for f in fields]


def concept_entry_count(concept: Concept) -> int:
    return ConceptEntry.objects.filter(goal__action_field__concept=concept).count()


def open_motion_counts(circle_ids: list[int]) -> dict[int, int]:
    """Open motions per circle (for room lists)."""
    rows = (
        Motion.objects.filter(circle_id__in=circle_ids)
        .values("circle_id")
        .annotate(n=Count("pk", filter=Q(status=Motion.Status.OPEN)))
    )
    return {row["circle_id"]: row["n"] for row in rows}


def concept_by_slug(slug: str) -> Concept | None:
    return Concept.objects.filter(slug=slug).first()


def room_motions(circle: Circle) -> list[dict[str, Any]]:
    """The room snapshot's ``motions``: every motion of the circle, oldest first, as
    ``voting.payloads.motion_data``. Events ``motion.opened`` (append), ``motion.turnout``
    (set ``turnout``) and ``motion.closed`` (replace) keep a stale copy equal to a fresh one."""
    from voting import payloads

    return [
        payloads.motion_data(
            motion,
            turnout=motion.turnout,  # type: ignore[attr-defined]
            eligible=motion.eligible_count,  # type: ignore[attr-defined]
        )
        for motion in _motions().filter(circle=circle).order_by("opened_at", "pk")
    ]


def personal_data(user: Any) -> dict[str, Any]:
    """What the vote stores about ``user``, for the person's own export: the motions they
    could vote in (and, once closed, whether they took part), their open-ballot choices, and
    the motions they opened or closed.

    Secret ballots are not here and cannot be: during the vote the server holds only a keyed
    hash of (motion, voter) beside the ballot, and at close the salt is erased and the rows
    are rewritten, so nothing links a secret choice to anyone, not even for the person."""
    ballots = (
        Ballot.objects.filter(voter=user, motion__secret=False)
        .order_by("motion_id")
        .values(
            "motion_id",
            "motion__goal__title",
            "motion__status",
            "choice",
            "resistances",
            "reason",
            "cast_at",
            "changed_at",
        )
    )
    eligible = (
        EligibleVoter.objects.filter(user=user)
        .order_by("motion_id")
        .values("motion_id", "motion__goal__title", "motion__secret", "took_part")
    )
    return {
        "eligible_in": list(eligible),
        "open_ballots": list(ballots),
        "secret_ballots": gettext(
            "Geheime Stimmzettel sind mit niemandem verknüpft: während der Abstimmung steht "
            "neben ihnen nur ein verschlüsselter Schlüssel, nach dem Schluss nicht einmal der."
        ),
        "motions_opened": list(
            Motion.objects.filter(opened_by=user).order_by("pk").values_list("pk", flat=True)
        ),
        "motions_closed": list(
            Motion.objects.filter(closed_by=user).order_by("pk").values_list("pk", flat=True)
        ),
    }
