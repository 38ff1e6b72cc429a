"""Who sees a field's private rooms changes with a drafter's membership: a drafter of any
circle of the action field sees them all (``rules.is_field_drafter``). The membership
services (``deliberation.services``) take the field's room locks and tell the field's other
rooms here, so their hubs close the person's open sockets (4410) at once."""

from __future__ import annotations

from typing import Any

from deliberation import payloads
from deliberation.eventlog import lock_room, record_event
from deliberation.models import Circle, Membership


def lock_field_rooms(circle_id: int) -> None:
    """Lock every room of the circle's action field, in id order: a drafter's membership
    decides who sees the field's private rooms, so a change may record events in all of
    them; the fixed order (as ``account_set_active``'s) keeps two changes from deadlocking.
    Precondition: inside a transaction."""
    field_id = Circle.objects.filter(pk=circle_id).values_list("action_field_id", flat=True)
    for pk in (
        Circle.objects.filter(action_field_id__in=field_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        lock_room(pk)


def field_access_changed(*, membership: Membership, actor: Any | None) -> None:
    """A drafter's membership began, ended or changed role: the other rooms of the field hear
    ``member.field_access``, and their hubs close the person's sockets (4410), which
    reconnect as whoever they are now — a viewer who may evaluate, or refused (4403) by a
    private room. Precondition: the caller holds the field's room locks
    (:func:`lock_field_rooms`)."""
    siblings = (
        Circle.objects.filter(action_field_id=membership.circle.action_field_id)
        .exclude(pk=membership.circle_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for circle_id in siblings:
        record_event(
            circle=circle_id,
            kind="member.field_access",
            payload={"person": payloads.person(membership.user)},
            actor=actor,
        )
