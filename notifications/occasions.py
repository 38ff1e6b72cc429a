"""Who is told what, for each occasion: recipients, title, text and link, then ``notify``.
Called by the tasks (``notifications.tasks``), in the worker or, without a broker, in the
process that committed the change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from deliberation.models import Circle, Disposition, Membership
from notifications.models import Kind, Notification
from notifications.services import notify
from voting.models import Ballot, EligibleVoter, Motion

REMINDER_WINDOW = timedelta(hours=24)


def _room_url(circle: Circle) -> str:
    return reverse("frontend:room", kwargs={"slug": circle.slug})


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def room_event(
    *, circle_id: int, seq: int, kind: str, payload: dict[str, Any], actor_id: int | None
) -> list[Notification]:
    """The notifications of one committed room event (``notifications.hooks``)."""
    circle = Circle.objects.filter(pk=circle_id).first()
    if circle is None:
        return []
    key = f"room.{circle_id}.{seq}"
    if kind == "round.opened":
        return _round_opened(circle, key=key, payload=payload, actor_id=actor_id)
    if kind == "motion.opened":
        return _motion_opened(circle, key=key, payload=payload, actor_id=actor_id)
    if kind == "disposition.set":
        disposition_id = (payload.get("disposition") or {}).get("id")
        return disposition(disposition_id=disposition_id, key=key) if disposition_id else []
    if kind == "member.added":
        return _member_added(circle, key=key, payload=payload, actor_id=actor_id)
    return []


def _round_opened(
    circle: Circle, *, key: str, payload: dict[str, Any], actor_id: int | None
) -> list[Notification]:
    number = (payload.get("round") or {}).get("number")
    members = set(Membership.objects.filter(circle=circle).values_list("user_id", flat=True))
    return notify(
        recipient_ids=members - {actor_id},
        kind=Kind.ROUND_OPENED,
        key=key,
        title=_("Runde %(number)s im Kreis „%(circle)s“ ist eröffnet")
        % {"number": number or "", "circle": circle.title},
        body=_("Die Diskussion hat begonnen. Sie können im Raum mitdiskutieren."),
        url=_room_url(circle),
    )


def _motion_opened(
    circle: Circle, *, key: str, payload: dict[str, Any], actor_id: int | None
) -> list[Notification]:
    motion_id = (payload.get("motion") or {}).get("id")
    if not isinstance(motion_id, int):
        return []
    motion = Motion.objects.select_related("goal").filter(pk=motion_id, circle=circle).first()
    if motion is None:
        return []
    voters = set(EligibleVoter.objects.filter(motion=motion).values_list("user_id", flat=True))
    body = _("Sie sind stimmberechtigt.")
    if motion.deadline is not None:
        body += " " + _("Die Abstimmung endet am %(when)s.") % {"when": _when(motion.deadline)}
    return notify(
        recipient_ids=voters - {actor_id},
        kind=Kind.MOTION_OPENED,
        key=key,
        title=_("Abstimmung eröffnet: %(goal)s") % {"goal": motion.goal.title},
        body=body,
        url=reverse("voting:motion", kwargs={"motion_id": motion.pk}),
    )


def _member_added(
    circle: Circle, *, key: str, payload: dict[str, Any], actor_id: int | None
) -> list[Notification]:
    user_id = (payload.get("person") or {}).get("id")
    if not user_id or user_id == actor_id:
        return []
    role = payload.get("role")
    label = Membership.Role(role).label if role in Membership.Role.values else ""
    return notify(
        recipient_ids=[user_id],
        kind=Kind.INVITATION,
        key=key,
        title=_("Sie sind jetzt Mitglied im Kreis „%(circle)s“") % {"circle": circle.title},
        body=_("Ihre Rolle: %(role)s.") % {"role": label} if label else "",
        url=_room_url(circle),
    )


def disposition(*, disposition_id: int, key: str | None = None) -> list[Notification]:
    """Tell the author of a comment, idea, reason from a vote or public contribution that it
    got its disposition (or a changed one)."""
    found = (
        Disposition.objects.select_related(
            "comment__circle", "idea__circle", "vote_reason__circle", "contribution"
        )
        .filter(pk=disposition_id)
        .first()
    )
    if found is None:
        return []
    feedback: Any = found.comment or found.idea or found.vote_reason or found.contribution
    author_id = getattr(feedback, "author_id", None) if feedback is not None else None
    if not author_id or author_id == found.decided_by_id:
        return []
    circle = getattr(feedback, "circle", None)
    if circle is not None:
        url = _room_url(circle)
        title = _("Entscheidung zu Ihrem Beitrag im Kreis „%(circle)s“") % {"circle": circle.title}
    else:
        url = reverse("participation:contribution", kwargs={"contribution_id": feedback.pk})
        title = _("Entscheidung zu Ihrem Beitrag")
    body = f"{found.get_value_display()}: {found.response}" if found.response else ""
    stamp = int(found.decided_at.timestamp()) if found.decided_at else 0
    return notify(
        recipient_ids=[author_id],
        kind=Kind.DISPOSITION,
        key=key or f"disposition.{found.pk}.{stamp}",
        title=title,
        body=body,
        url=url,
    )


def motions_closing_soon(now: datetime) -> list[Motion]:
    """Open motions whose deadline falls within the next 24 hours, opened with more than 24
    hours to go (a shorter vote's opening notice already names its deadline)."""
    return list(
        Motion.objects.select_related("goal", "circle")
        .filter(
            status=Motion.Status.OPEN,
            deadline__gt=now,
            deadline__lte=now + REMINDER_WINDOW,
            opened_at__lt=F("deadline") - REMINDER_WINDOW,
        )
        .order_by("deadline", "pk")
    )


def closing_reminders(*, now: datetime | None = None) -> list[Notification]:
    """Remind the eligible voters of each motion closing within 24 hours who have not cast
    an open ballot (a secret ballot cannot be told apart, so secret votes remind everyone);
    each person once per motion, however often the job runs."""
    now = now or timezone.now()
    sent: list[Notification] = []
    for motion in motions_closing_soon(now):
        voters = set(EligibleVoter.objects.filter(motion=motion).values_list("user_id", flat=True))
        voted = set(
            Ballot.objects.filter(motion=motion, voter__isnull=False).values_list(
                "voter_id", flat=True
            )
        )
        assert motion.deadline is not None
        sent += notify(
            recipient_ids=voters - voted,
            kind=Kind.MOTION_CLOSING,
            key=f"motion.{motion.pk}.closing",
            title=_("Abstimmung endet bald: %(goal)s") % {"goal": motion.goal.title},
            body=_("Die Abstimmung endet am %(when)s.") % {"when": _when(motion.deadline)},
            url=reverse("voting:motion", kwargs={"motion_id": motion.pk}),
        )
    return sent
