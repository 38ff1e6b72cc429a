"""The erasure of a person's data when they delete their account (GDPR article 17), run by
``accounts.services.account_delete`` in its transaction, after the account was scrubbed.

What the public record needs stays, pseudonymised: the account row is kept (user name
``deleted:<id>``, no name, no address), so comments, ideas, ratings, versions, open ballots
and contributions keep their author, shown as "ehemaliges Mitglied"; the room log's stored
person entries of the account are rewritten to that form, so snapshots and replays agree.
What is purely personal is deleted: sessions, API tokens, invitations not accepted, and
what the other contexts register (``kernel.personal_data``: notifications, room tickets,
unsent questionnaire drafts …). Closed vote records are not rewritten: their digest is
published and must keep verifying (docs/operations.md, "Data protection").
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Invitation
from deliberation.eventlog import lock_room
from deliberation.models import RoomEvent
from deliberation.payloads import person
from kernel import personal_data

logger = logging.getLogger(__name__)

# The shapes ``deliberation.payloads.person`` gives (a voter list adds ``took_part``).
_PERSON_KEYS = ({"id", "name"}, {"id", "name", "took_part"})


def _rewrite(value: Any, user_id: int, former: dict[str, Any]) -> Any:
    """``value`` with every person entry of ``user_id`` in the former-member form."""
    if isinstance(value, dict):
        if value.get("id") == user_id and set(value) in _PERSON_KEYS:
            return {**value, "name": former["name"]}
        return {key: _rewrite(item, user_id, former) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item, user_id, former) for item in value]
    return value


def room_events_pseudonymise(user: Any) -> int:
    """Rewrite the stored room events that name ``user`` (their ``person`` entries) to the
    former-member form, under each room's lock, rooms in id order; returns how many events
    changed. Precondition: inside ``transaction.atomic()``, ``user`` already scrubbed."""
    former = person(user)
    assert former is not None
    # A coarse filter in the database ("id": <pk> in the JSON text, both backends write it
    # so); the walk decides exactly.
    needle = f'"id": {user.pk}'
    candidates = RoomEvent.objects.annotate(
        _payload=Cast("payload", TextField()), _moderator=Cast("moderator_payload", TextField())
    ).filter(Q(_payload__contains=needle) | Q(_moderator__contains=needle))
    circle_ids = sorted(set(candidates.values_list("circle_id", flat=True)))
    changed = 0
    for circle_id in circle_ids:
        lock_room(circle_id)
        for event in candidates.filter(circle_id=circle_id).order_by("seq").iterator():
            payload = _rewrite(event.payload, user.pk, former)
            moderator = (
                _rewrite(event.moderator_payload, user.pk, former)
                if event.moderator_payload is not None
                else None
            )
            if payload != event.payload or moderator != event.moderator_payload:
                RoomEvent.objects.filter(pk=event.pk).update(
                    payload=payload, moderator_payload=moderator
                )
                changed += 1
    return changed


def sessions_of(user: Any) -> list[Any]:
    """The unexpired database sessions (config.sessions) signed in as ``user``: the user id
    is inside the encoded data, so each is decoded (an undecodable one signs nobody in)."""
    session_model = apps.get_model("sessions", "Session")
    found = []
    for session in session_model.objects.filter(expire_date__gt=timezone.now()).iterator():
        try:
            data = session.get_decoded()
        except Exception:
            logger.debug("session %s cannot be decoded", session.pk)
            continue
        if str(data.get(SESSION_KEY, "")) == str(user.pk):
            found.append(session)
    return found


def _sessions_delete(user: Any) -> None:
    doomed = [session.pk for session in sessions_of(user)]
    apps.get_model("sessions", "Session").objects.filter(pk__in=doomed).delete()


def _tokens_delete(user: Any) -> None:
    # api.tokens is a door's module (domain code may not import it); the model is enough.
    apps.get_model("api", "ApiToken").objects.filter(user=user).delete()


def _admin_log_scrub(user: Any) -> None:
    # The admin's history names edited objects by str(): the account's old user name.
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(user)), object_id=str(user.pk)
    ).update(object_repr=user.get_username())


def personal_data_erase(*, user: Any, former_email: str) -> None:
    """Delete what is purely personal about ``user`` and pseudonymise the rest.

    Precondition: inside ``transaction.atomic()``; ``user`` is scrubbed (the former-member
    user name) and its memberships ended; ``former_email`` is the address it had."""
    if former_email:
        Invitation.objects.filter(email__iexact=former_email, accepted_at__isnull=True).delete()
    Invitation.objects.filter(accepted_by=user).update(email="")
    for provider in personal_data.providers():
        if provider.erase is not None:
            provider.erase(user, former_email)
    _tokens_delete(user)
    _sessions_delete(user)
    _admin_log_scrub(user)
    room_events_pseudonymise(user)
