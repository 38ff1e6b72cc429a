"""The temperature check ("Blitzlicht", Loomio's sense check): the moderator asks a quick
question, members answer 👍 / 🤔 / 👎 while it runs and may change their answer; everyone sees
the counts live, never who answered what. It is not a decision and not stored as one: once it
is closed only the question and the final counts are kept (``docs/protocol.md``,
"Temperature check").

No server timer: a check runs until ``ends_at`` (answers after it are refused). It is closed
— its per-person answers deleted, the counts frozen — by the moderator (``pulse_close``) or by
the next ``pulse_ask``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import payloads
from deliberation.eventlog import lock_room, record_event
from deliberation.models import Circle, Pulse, PulseAnswer
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can

QUESTION_MAX_LENGTH = 300
DURATION_MIN = 10
DURATION_MAX = 300  # five minutes
DURATION_DEFAULT = 60


def _counts(pulse: Pulse) -> dict[str, int]:
    counts = dict.fromkeys(Pulse.Answer.values, 0)
    for row in pulse.answers.values("answer").annotate(n=Count("pk")):
        counts[row["answer"]] = row["n"]
    return counts


def _data(pulse: Pulse) -> dict[str, Any] | None:
    if pulse.closed_at is not None:
        return payloads.pulse_data(pulse)
    return payloads.pulse_data(pulse, counts=_counts(pulse))


def pulse_state(circle: Circle) -> dict[str, Any] | None:
    """The room's latest temperature check (running, ended or closed) with its counts."""
    pulse = Pulse.objects.filter(circle=circle).select_related("asked_by").order_by("-pk").first()
    return _data(pulse) if pulse is not None else None


def _close(circle: Circle, pulse: Pulse, actor: Any) -> None:
    """Precondition: the caller holds the room lock; ``pulse`` is not closed yet."""
    counts = _counts(pulse)
    pulse.agree, pulse.unsure, pulse.disagree = (counts[a] for a in Pulse.Answer.values)
    now = timezone.now()
    pulse.closed_at = now
    pulse.ends_at = min(pulse.ends_at, now)
    pulse.save(update_fields=["agree", "unsure", "disagree", "closed_at", "ends_at"])
    # Who answered what is not kept.
    pulse.answers.all().delete()
    record_event(
        circle=circle,
        kind="pulse.closed",
        payload={"pulse": payloads.pulse_data(pulse)},
        actor=actor,
    )


def _open_pulse(circle: Circle) -> Pulse | None:
    return (
        Pulse.objects.filter(circle=circle, closed_at__isnull=True)
        .select_related("asked_by")
        .order_by("-pk")
        .first()
    )


def pulse_ask(
    *, actor: Any, circle: Circle, question: Any, duration: Any = DURATION_DEFAULT
) -> Pulse:
    """The moderator asks a quick question for ``duration`` seconds (10–300). A check still
    open is closed first."""
    if not can(actor, "deliberation.ask_pulse", circle):
        raise Forbidden(_("Nur die Moderation kann ein Blitzlicht einholen."))
    question = checks.text(
        question, "question", label=_("Die Frage"), required=True, max_length=QUESTION_MAX_LENGTH
    )
    if duration is None:
        duration = DURATION_DEFAULT
    duration = checks.integer(duration, "duration")
    if not DURATION_MIN <= duration <= DURATION_MAX:
        raise Invalid(
            _("Die Dauer muss zwischen %(min)s und %(max)s Sekunden liegen.")
            % {"min": DURATION_MIN, "max": DURATION_MAX},
            field="duration",
        )
    with transaction.atomic():
        locked = lock_room(circle.pk)
        previous = _open_pulse(locked)
        if previous is not None:
            _close(locked, previous, actor)
        now = timezone.now()
        pulse = Pulse.objects.create(
            circle=locked,
            question=question,
            asked_by=actor,
            asked_at=now,
            ends_at=now + timedelta(seconds=duration),
        )
        record_event(
            circle=locked,
            kind="pulse.asked",
            payload={
                "pulse": payloads.pulse_data(pulse, counts=dict.fromkeys(Pulse.Answer.values, 0))
            },
            actor=actor,
        )
    return pulse


def pulse_answer(*, actor: Any, circle: Circle, pulse_id: Any, answer: Any) -> Pulse:
    """A member answers the running check, or changes their answer. The event carries the
    counts only and records no actor: the room's log does not say who answered."""
    if not can(actor, "deliberation.answer_pulse", circle):
        raise Forbidden(_("Nur Mitglieder des Kreises können am Blitzlicht teilnehmen."))
    pulse_id = checks.integer(pulse_id, "pulse")
    if answer not in Pulse.Answer.values:
        raise Invalid(_("Die Antwort muss „agree“, „unsure“ oder „disagree“ sein."), field="answer")
    with transaction.atomic():
        locked = lock_room(circle.pk)
        pulse = Pulse.objects.filter(pk=pulse_id, circle=locked).first()
        if pulse is None:
            raise NotFound(_("Dieses Blitzlicht gibt es in diesem Raum nicht."), field="pulse")
        if pulse.closed_at is not None or pulse.ends_at <= timezone.now():
            raise Conflict(_("Dieses Blitzlicht ist beendet."), field="pulse")
        existing = PulseAnswer.objects.filter(pulse=pulse, user=actor).first()
        if existing is not None and existing.answer == answer:
            return pulse
        if existing is None:
            PulseAnswer.objects.create(pulse=pulse, user=actor, answer=answer)
        else:
            existing.answer = answer
            existing.save(update_fields=["answer"])
        record_event(
            circle=locked, kind="pulse.answered", payload={"pulse": _data(pulse)}, actor=None
        )
    return pulse


def pulse_close(*, actor: Any, circle: Circle) -> Pulse:
    """The moderator ends the open check (running or past its time): the counts are frozen
    and the answers deleted."""
    if not can(actor, "deliberation.ask_pulse", circle):
        raise Forbidden(_("Nur die Moderation kann ein Blitzlicht beenden."))
    with transaction.atomic():
        locked = lock_room(circle.pk)
        pulse = _open_pulse(locked)
        if pulse is None:
            raise Conflict(_("Es läuft kein Blitzlicht."))
        _close(locked, pulse, actor)
    return pulse
