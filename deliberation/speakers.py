"""The speakers' list's order (reads only; the writers are the ``hand_*`` services).

Points of order come first, in the order raised. The other waiting hands follow the room's
``speakers_order``: as raised; first-time speakers first; or alternating between first-time
and repeat speakers. A hand is a *first-time speaker's* when its person had no turn yet in
the room's scope at the moment it was raised: the active round (or none) and the goal in
focus (or none) — a new round or a new focus starts everyone afresh. The flag is kept on the
hand, so the queue changes only with hand events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deliberation import payloads
from deliberation.models import Circle, HandRaise
from deliberation.rounds.selectors import active_round_row
from kernel.prepared import Prepared

OPEN_HAND_STATES = (HandRaise.State.WAITING, HandRaise.State.SPEAKING)


@dataclass(frozen=True)
class Scope:
    round_id: int | None
    goal_id: int | None


# A member's open hand (waiting or speaking; at most one): every hand command asks it,
# compiled once (``kernel.prepared``).
_open_hand: Prepared[HandRaise] = Prepared(
    lambda circle, user: HandRaise.objects.filter(
        circle_id=circle, user_id=user, state__in=OPEN_HAND_STATES
    ).order_by("pk")[:1]
)


def open_hand(circle_id: int, user_id: int) -> HandRaise | None:
    return _open_hand.first(circle_id, user_id)


def current_scope(circle: Circle) -> Scope:
    round_ = active_round_row(circle.pk)
    return Scope(round_id=round_.pk if round_ else None, goal_id=circle.focus_goal_id)


def has_spoken(circle: Circle, user_id: int, scope: Scope) -> bool:
    turns = HandRaise.objects.filter(circle=circle, user_id=user_id, started_at__isnull=False)
    # ``None`` means "none": a turn in the free discussion, or without a focus.
    if scope.round_id is None:
        turns = turns.filter(round__isnull=True)
    else:
        turns = turns.filter(round_id=scope.round_id)
    if scope.goal_id is None:
        turns = turns.filter(goal__isnull=True)
    else:
        turns = turns.filter(goal_id=scope.goal_id)
    return turns.exists()


def _raised(hands: Iterable[HandRaise]) -> list[HandRaise]:
    return sorted(hands, key=lambda h: (h.raised_at, h.pk))


def order_waiting(
    waiting: Iterable[HandRaise], *, order: str, last_was_first: bool | None
) -> list[HandRaise]:
    """The waiting hands in the order they will get the floor. ``last_was_first``: whether
    the last turn that was not a point of order went to a first-time speaker (None: none)."""
    waiting = list(waiting)
    points = _raised(h for h in waiting if h.point_of_order)
    rest = _raised(h for h in waiting if not h.point_of_order)
    firsts = [h for h in rest if h.first_time]
    repeats = [h for h in rest if not h.first_time]
    if order == Circle.SpeakersOrder.FIRST_TIME:
        return points + firsts + repeats
    if order == Circle.SpeakersOrder.ALTERNATING:
        ordered: list[HandRaise] = []
        # After a first-time speaker a repeat speaker, and the other way round; without an
        # earlier turn a first-time speaker begins.
        want_first = not last_was_first if last_was_first is not None else True
        while firsts or repeats:
            source = firsts if (want_first and firsts) or not repeats else repeats
            ordered.append(source.pop(0))
            want_first = source is not firsts
        return points + ordered
    return points + rest


@dataclass(frozen=True)
class Queue:
    """The open hands in the order they get the floor, the speaker first."""

    hands: list[HandRaise]

    def payload(self) -> list[dict[str, Any]]:
        return [payloads.hand_data(hand) for hand in self.hands]

    @property
    def speaking(self) -> HandRaise | None:
        return next((h for h in self.hands if h.state == HandRaise.State.SPEAKING), None)

    @property
    def waiting(self) -> list[HandRaise]:
        return [h for h in self.hands if h.state == HandRaise.State.WAITING]


def speakers_queue(circle: Circle) -> Queue:
    """The room's open hands in the order they get the floor. Two queries. Precondition
    for acting on it (``hand_next``): the caller holds the room lock."""
    hands = list(
        HandRaise.objects.filter(circle=circle, state__in=OPEN_HAND_STATES).select_related("user")
    )
    last = (
        HandRaise.objects.filter(circle=circle, started_at__isnull=False, point_of_order=False)
        .order_by("-started_at", "-pk")
        .only("first_time")
        .first()
    )
    speaking = [h for h in hands if h.state == HandRaise.State.SPEAKING]
    waiting = order_waiting(
        (h for h in hands if h.state == HandRaise.State.WAITING),
        order=circle.speakers_order,
        last_was_first=last.first_time if last is not None else None,
    )
    return Queue(hands=speaking + waiting)


def turn_log(*, round_id: int) -> list[HandRaise]:
    """Every turn given during a round (who spoke, from, to), oldest first."""
    return list(
        HandRaise.objects.filter(round_id=round_id, started_at__isnull=False)
        .select_related("user", "goal")
        .order_by("started_at", "pk")
    )
