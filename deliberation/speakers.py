"""The speakers' list's order (reads only; the writers are the ``hand_*`` services).

Points of order come first, in the order raised. The other waiting hands follow the room's
``speakers_order``: as raised; first-time speakers first; or alternating between first-time
and repeat speakers. A *first-time speaker* has had no turn yet in the room's current scope:
the active round (or none) and the goal in focus (or none) — a new round or a new focus
starts everyone afresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deliberation import payloads
from deliberation.models import Circle, HandRaise
from deliberation.rounds.selectors import active_round

OPEN_HAND_STATES = (HandRaise.State.WAITING, HandRaise.State.SPEAKING)


@dataclass(frozen=True)
class Scope:
    round_id: int | None
    goal_id: int | None


def current_scope(circle: Circle) -> Scope:
    round_ = active_round(circle)
    return Scope(round_id=round_.pk if round_ else None, goal_id=circle.focus_goal_id)


def _turns(circle: Circle, scope: Scope) -> list[HandRaise]:
    """Every turn given in the scope, oldest first."""
    return list(
        HandRaise.objects.filter(
            circle=circle,
            started_at__isnull=False,
            round_id=scope.round_id,
            goal_id=scope.goal_id,
        ).order_by("started_at", "pk")
    )


@dataclass(frozen=True)
class Queue:
    """The open hands in queue order (the speaker first) and who counts as first-time."""

    hands: list[HandRaise]
    first_time: frozenset[int]  # hand ids

    def payload(self) -> list[dict[str, Any]]:
        return [payloads.hand_data(h, first_time=h.pk in self.first_time) for h in self.hands]

    def is_first_time(self, hand: HandRaise) -> bool:
        return hand.pk in self.first_time

    @property
    def waiting(self) -> list[HandRaise]:
        return [h for h in self.hands if h.state == HandRaise.State.WAITING]

    @property
    def speaking(self) -> HandRaise | None:
        return next((h for h in self.hands if h.state == HandRaise.State.SPEAKING), None)


def _raised(hands: Iterable[HandRaise]) -> list[HandRaise]:
    return sorted(hands, key=lambda h: (h.raised_at, h.pk))


def order_waiting(
    waiting: list[HandRaise], *, order: str, first_time: set[int], last_was_first: bool | None
) -> list[HandRaise]:
    """The waiting hands in the order they will get the floor."""
    points = _raised(h for h in waiting if h.point_of_order)
    rest = _raised(h for h in waiting if not h.point_of_order)
    firsts = [h for h in rest if h.pk in first_time]
    repeats = [h for h in rest if h.pk not in first_time]
    if order == Circle.SpeakersOrder.FIRST_TIME:
        return points + firsts + repeats
    if order == Circle.SpeakersOrder.ALTERNATING:
        ordered: list[HandRaise] = []
        # After a first-time speaker a repeat speaker, and the other way round; the first
        # turn of a scope goes to a first-time speaker.
        want_first = not last_was_first if last_was_first is not None else True
        while firsts or repeats:
            source = firsts if (want_first and firsts) or not repeats else repeats
            ordered.append(source.pop(0))
            want_first = source is not firsts
        return points + ordered
    return points + rest


def speakers_queue(circle: Circle) -> Queue:
    """The room's open hands in the order they get the floor. Precondition: the caller holds
    the room lock when it acts on the order (``hand_next``)."""
    hands = list(
        HandRaise.objects.filter(circle=circle, state__in=OPEN_HAND_STATES).select_related("user")
    )
    scope = current_scope(circle)
    turns = _turns(circle, scope)
    spoken: dict[int, list[int]] = {}
    for turn in turns:
        spoken.setdefault(turn.user_id, []).append(turn.pk)
    # A hand is a first-time speaker's when its person had no other turn in the scope.
    first_time = {
        hand.pk
        for hand in hands
        if not [pk for pk in spoken.get(hand.user_id, []) if pk != hand.pk]
    }
    last_was_first: bool | None = None
    regular = [t for t in turns if not t.point_of_order]
    if regular:
        last = regular[-1]
        last_was_first = spoken[last.user_id][0] == last.pk
    speaking = [h for h in hands if h.state == HandRaise.State.SPEAKING]
    waiting = order_waiting(
        [h for h in hands if h.state == HandRaise.State.WAITING],
        order=circle.speakers_order,
        first_time=first_time,
        last_was_first=last_was_first,
    )
    return Queue(hands=speaking + waiting, first_time=frozenset(first_time))


def turn_log(*, round_id: int) -> list[HandRaise]:
    """Every turn of a round (who spoke, from, to), oldest first."""
    return list(
        HandRaise.objects.filter(round_id=round_id, started_at__isnull=False)
        .select_related("user", "goal")
        .order_by("started_at", "pk")
    )
