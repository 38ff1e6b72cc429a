"""Dispositions of the public's feedback (approved contributions and free-text answers)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from deliberation.eventlog import lock_room
from deliberation.models import Circle, Disposition, GoalVersion
from deliberation.rounds.services import (
    _active_round,
    _authorize,
    _dispose,
    _not_now,
)
from deliberation.rules import may_evaluate
from kernel import checks
from kernel.errors import Conflict, Invalid, NotFound
from kernel.types import Actor
from participation.models import (
    Answer,
    Contribution,
    Question,
    Response,
)
from participation.services._common import RESPONSE_MAX_LENGTH, _now

logger = logging.getLogger(__name__)


# Packages above participation that want to hear of a committed disposition of the public's
# feedback (notifications) register here when they start; participation never imports them.
DispositionListener = Callable[[Disposition], None]
_disposition_listeners: dict[str, DispositionListener] = {}


def register_disposition_listener(name: str, listener: DispositionListener) -> None:
    """Register (or replace) the listener ``name``; idempotent like the event log's."""
    _disposition_listeners[name] = listener


def _tell_disposition_listeners(disposition: Disposition) -> None:
    for name, listener in list(_disposition_listeners.items()):
        try:
            listener(disposition)
        except Exception:
            logger.exception("disposition listener %s failed on %s", name, disposition.pk)


def _require_undecided(feedback: Answer | Contribution) -> None:
    if Disposition.objects.filter(
        **{"answer" if isinstance(feedback, Answer) else "contribution": feedback}
    ).exists():
        raise Conflict(
            _("Über diese Rückmeldung ist schon entschieden; ihr Ziel bleibt."), field="goal"
        )


def feedback_disposition_set(
    *,
    actor: Actor,
    circle: Circle,
    value: str,
    response: str,
    contribution_id: int | None = None,
    answer_id: int | None = None,
    addressed_in: int | None = None,
) -> Disposition:
    """Give a piece of the public's feedback its disposition, exactly as a comment gets one:
    in the room's evaluation phase, by its moderators and the field's drafters
    (``deliberation.set_disposition``). The feedback must concern the circle's action field:
    an approved contribution for it or linked to one of its goals, or a submitted free-text
    answer linked to one of its goals. ``addressed_in``: the number of the version of the
    linked goal that took it up, if any. Setting it again changes it."""
    if (contribution_id is None) == (answer_id is None):
        raise Invalid(_("Bitte genau einen Beitrag oder eine Antwort angeben."), field="feedback")
    if value not in Disposition.Value.values:
        raise Invalid(_("Unbekannte Entscheidung: %(v)s") % {"v": value}, field="value")
    response = checks.text(
        response, "response", label=_("Die Antwort"), required=True, max_length=RESPONSE_MAX_LENGTH
    )
    with transaction.atomic():
        lock_room(circle.pk)
        round_ = _active_round(circle)
        _authorize(
            actor,
            "deliberation.set_disposition",
            round_ or circle,
            who=may_evaluate,
            forbidden=_("Nur die Arbeitsgruppe und die Moderation bewerten Rückmeldungen."),
            not_now=_not_now(round_, _("Rückmeldungen zu bewerten")),
        )
        field_id = circle.action_field_id
        target: Answer | Contribution | None
        if contribution_id is not None:
            target = (
                Contribution.objects.filter(
                    pk=checks.integer(contribution_id, "contribution"),
                    state=Contribution.State.APPROVED,
                )
                .filter(Q(action_field_id=field_id) | Q(goal__action_field_id=field_id))
                .first()
            )
            if target is None:
                raise NotFound(
                    _("Diesen Beitrag gibt es für dieses Handlungsfeld nicht."),
                    field="contribution",
                )
        else:
            target = (
                Answer.objects.filter(
                    pk=checks.integer(answer_id, "answer"),
                    question__kind=Question.Kind.TEXT,
                    response__state=Response.State.SUBMITTED,
                    goal__action_field_id=field_id,
                )
                .exclude(text="")
                .first()
            )
            if target is None:
                raise NotFound(
                    _("Diese Antwort ist keinem Ziel dieses Handlungsfelds zugeordnet."),
                    field="answer",
                )
        version = None
        if addressed_in is not None:
            if target.goal_id is None:
                raise Invalid(
                    _("Ohne zugeordnetes Ziel gibt es keine Fassung, die sie aufnimmt."),
                    field="addressed_in",
                )
            version = GoalVersion.objects.filter(
                goal_id=target.goal_id, number=checks.integer(addressed_in, "addressed_in")
            ).first()
            if version is None:
                raise Invalid(
                    _("Das zugeordnete Ziel hat keine Fassung mit dieser Nummer."),
                    field="addressed_in",
                )
        disposition, changed = _dispose(
            contribution=target if isinstance(target, Contribution) else None,
            answer=target if isinstance(target, Answer) else None,
            value=value,
            response=response,
            actor=actor,
            round_=round_,
            now=_now(),
            addressed_in=version,
        )
        if changed:
            # The public's dispositions are not room events; listeners hear them here.
            transaction.on_commit(lambda: _tell_disposition_listeners(disposition))
    return disposition
