"""Every write about rounds: opening, phases, the agenda's countdown, ratings, ideas,
dispositions, the concerns and vetoes a closing vote hands over, and publishing a revised
version with the feedback it takes up.

Keyword-only, ``actor`` and ``circle`` first, as every door calls them (REST, room socket,
admin). Each checks who may act (``Forbidden``) and whether the active round's phase allows
it now (``Conflict``), writes in one transaction under the room lock, and records its room
event there; the broadcast follows the commit. Every write about a round takes the room lock,
so the round row needs no lock of its own.

Lock order, to stay deadlock-free with ``deliberation.services``: goals first, then rooms in
primary-key order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rules import Predicate

from deliberation import anchors, payloads, proposals, services
from deliberation.eventlog import lock_room, record_event
from deliberation.models import (
    AgendaItem,
    CarriedFeedback,
    Circle,
    Comment,
    Disposition,
    Goal,
    GoalVersion,
    Idea,
    Rating,
    Round,
    VersionFeedbackLink,
    VoteReason,
)
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds.dispositions import _dispose as _dispose
from deliberation.rounds.dispositions import _record_disposition as _record_disposition
from deliberation.rules import (
    is_circle_moderator,
    may_evaluate,
    may_propose_idea,
    may_rate,
    may_revise,
)
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.times import utc_iso
from kernel.types import Actor, user_of

Phase = Round.Phase

# The round life cycle: strictly forward. After revision the moderator closes the round or
# opens the next one (which closes it); the final vote belongs to ``voting``.
PHASE_TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.DISCUSSION: frozenset({Phase.EVALUATION}),
    Phase.EVALUATION: frozenset({Phase.REVISION}),
    Phase.REVISION: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}
# Goals a round may put on its agenda; drafts and revised goals go (back) into discussion.
AGENDA_STATUSES = frozenset({Goal.Status.DRAFT, Goal.Status.IN_DISCUSSION, Goal.Status.REVISED})

AGENDA_MAX_ITEMS = 50
TIME_BOX_MIN = 10
TIME_BOX_MAX = 8 * 3600
TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
CLIENT_KEY_MAX_LENGTH = 64


# --- shared checks ---------------------------------------------------------------------------


def _authorize(
    actor: Actor, perm: str, obj: Round | Circle, *, who: Predicate, forbidden: str, not_now: str
) -> None:
    """``Forbidden`` if the role may never do this; ``Conflict`` if the phase forbids it now."""
    if actor is None or not who.test(actor, obj):
        raise Forbidden(forbidden)
    if not can(actor, perm, obj):
        raise Conflict(not_now, field="phase")


def _phase_label(round_: Round | None) -> str:
    if round_ is None:
        return _("keine Runde")
    return str(Phase(round_.phase).label)


def _not_now(round_: Round | None, what: str) -> str:
    if round_ is None:
        return _("In diesem Raum läuft keine Runde; %(what)s ist nur in einer Runde möglich.") % {
            "what": what
        }
    return _("Runde %(n)s ist in der Phase „%(phase)s“: %(what)s ist jetzt nicht möglich.") % {
        "n": round_.number,
        "phase": _phase_label(round_),
        "what": what,
    }


def _active_round(circle: Circle) -> Round | None:
    """Precondition: the caller holds the room lock."""
    return round_selectors.active_round(circle)


def _lock_field_rooms(circle: Circle) -> None:
    """Lock every room of the circle's action field in primary-key order, as the goal
    services do, before calling into them."""
    for pk in (
        Circle.objects.filter(action_field_id=circle.action_field_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        lock_room(pk)


def _state(round_: Round, now: datetime) -> dict[str, Any]:
    return payloads.round_data(round_, agenda=round_selectors.round_agenda(round_), now=now)


# --- rounds ----------------------------------------------------------------------------------


def _clean_agenda(agenda: Any) -> list[tuple[int, int | None]]:
    """``[{"goal": 3, "time_box": 600}, 5, …]`` → ``[(3, 600), (5, None), …]``."""
    if not isinstance(agenda, list | tuple) or not agenda:
        raise Invalid(_("Die Tagesordnung braucht mindestens ein Ziel."), field="agenda")
    if len(agenda) > AGENDA_MAX_ITEMS:
        raise Invalid(
            _("Die Tagesordnung hat höchstens %(n)s Punkte.") % {"n": AGENDA_MAX_ITEMS},
            field="agenda",
        )
    cleaned: list[tuple[int, int | None]] = []
    for entry in agenda:
        if isinstance(entry, Mapping):
            goal_id = checks.integer(entry.get("goal"), "agenda")
            time_box = entry.get("time_box")
        else:
            goal_id, time_box = checks.integer(entry, "agenda"), None
        if time_box is not None:
            time_box = checks.integer(time_box, "agenda")
            if not TIME_BOX_MIN <= time_box <= TIME_BOX_MAX:
                raise Invalid(
                    _("Ein Zeitrahmen liegt zwischen %(min)s und %(max)s Sekunden.")
                    % {"min": TIME_BOX_MIN, "max": TIME_BOX_MAX},
                    field="agenda",
                )
        cleaned.append((goal_id, time_box))
    if len({goal_id for goal_id, _t in cleaned}) != len(cleaned):
        raise Invalid(_("Ein Ziel steht zweimal auf der Tagesordnung."), field="agenda")
    return cleaned


def _change_phase(round_: Round, to_phase: str, *, actor: Actor, now: datetime) -> None:
    """Precondition: the caller holds the room lock and checked the transition."""
    from_phase = round_.phase
    round_.phase = to_phase
    round_.phase_changed_at = now
    round_.current_item = None  # each phase starts without a running countdown
    round_.save(update_fields=["phase", "phase_changed_at", "current_item"])
    record_event(
        circle=round_.circle_id,
        kind="round.phase_changed",
        payload={"round": _state(round_, now), "from": from_phase},
        actor=actor,
    )


def round_open(
    *, actor: Actor, circle: Circle, agenda: Sequence[Any], ratings_public: bool = False
) -> Round:
    """Open the circle's next round in discussion with an agenda of goals of its field.

    Drafts and revised goals on the agenda go (back) into discussion. A round still in
    revision is closed first (that is the re-discussion); one in discussion or evaluation
    must be finished. The event carries the open feedback carried over from earlier rounds.
    """
    if actor is None or not is_circle_moderator.test(actor, circle):
        raise Forbidden(_("Nur die Moderation kann eine Runde eröffnen."))
    if not isinstance(ratings_public, bool):
        raise Invalid(_("ratings_public muss wahr oder falsch sein."), field="ratings_public")
    entries = _clean_agenda(list(agenda) if isinstance(agenda, list | tuple) else agenda)
    goal_ids = [goal_id for goal_id, _t in entries]
    with transaction.atomic():
        goals = {
            goal.pk: goal
            for goal in Goal.objects.select_for_update()
            .filter(pk__in=goal_ids, action_field_id=circle.action_field_id)
            .order_by("pk")
        }
        _lock_field_rooms(circle)
        missing = [goal_id for goal_id in goal_ids if goal_id not in goals]
        if missing:
            raise NotFound(
                _("Diese Ziele gibt es in diesem Handlungsfeld nicht: %(ids)s")
                % {"ids": ", ".join(map(str, missing))},
                field="agenda",
            )
        for goal in goals.values():
            if goal.status not in AGENDA_STATUSES:
                raise Conflict(
                    _("„%(title)s“ ist im Status „%(s)s“ und kann nicht beraten werden.")
                    % {"title": goal.title, "s": Goal.Status(goal.status).label},
                    field="agenda",
                )
        now = timezone.now()
        previous = _active_round(circle)
        if previous is not None:
            if previous.phase != Phase.REVISION:
                raise Conflict(
                    _(
                        "Runde %(n)s ist noch in der Phase „%(phase)s“; eine neue Runde "
                        "beginnt erst nach der Überarbeitung."
                    )
                    % {"n": previous.number, "phase": _phase_label(previous)},
                    field="phase",
                )
            _change_phase(previous, Phase.CLOSED, actor=actor, now=now)
        for goal_id in goal_ids:
            if goals[goal_id].status != Goal.Status.IN_DISCUSSION:
                services.goal_transition(
                    actor=actor, goal=goals[goal_id], to_status=Goal.Status.IN_DISCUSSION
                )
        last = Round.objects.filter(circle=circle).aggregate(n=Max("number"))["n"] or 0
        round_ = Round.objects.create(
            circle=circle,
            number=last + 1,
            phase=Phase.DISCUSSION,
            ratings_public=ratings_public,
            opened_by=user_of(actor),
            opened_at=now,
            phase_changed_at=now,
        )
        current = dict(Goal.objects.filter(pk__in=goal_ids).values_list("pk", "current_version_id"))
        AgendaItem.objects.bulk_create(
            AgendaItem(
                round=round_,
                goal_id=goal_id,
                version_id=current[goal_id],
                order=order,
                time_box=time_box,
            )
            for order, (goal_id, time_box) in enumerate(entries, start=1)
        )
        CarriedFeedback.objects.bulk_create(
            CarriedFeedback(
                round=round_,
                comment=item.obj if isinstance(item.obj, Comment) else None,
                idea=item.obj if isinstance(item.obj, Idea) else None,
                vote_reason=item.obj if isinstance(item.obj, VoteReason) else None,
            )
            for item in round_selectors.feedback_to_carry(round_)
        )
        record_event(
            circle=circle,
            kind="round.opened",
            payload=round_selectors.round_snapshot(round_, now=now),
            actor=actor,
        )
    return round_


def round_set_phase(
    *, actor: Actor, circle: Circle, phase: str, expected_phase: str | None = None
) -> Round:
    """Move the active round to its next phase (moderators). Illegal jumps are refused.

    ``expected_phase`` (optional) is the phase the moderator confirmed to leave: if the
    round has moved on meanwhile (a second moderator, a repeated click), nothing happens and
    ``Conflict`` says so."""
    if actor is None or not is_circle_moderator.test(actor, circle):
        raise Forbidden(_("Nur die Moderation kann die Phase wechseln."))
    if phase not in Phase.values:
        raise Invalid(_("Unbekannte Phase: %(p)s") % {"p": phase}, field="phase")
    with transaction.atomic():
        lock_room(circle.pk)
        round_ = _active_round(circle)
        if round_ is None:
            raise Conflict(_("In diesem Raum läuft keine Runde."), field="phase")
        if expected_phase is not None and round_.phase != expected_phase:
            raise Conflict(
                _("Runde %(n)s ist schon in der Phase „%(phase)s“.")
                % {"n": round_.number, "phase": _phase_label(round_)},
                field="phase",
            )
        if phase not in PHASE_TRANSITIONS[round_.phase]:
            raise Conflict(
                _("Von „%(from)s“ geht es nicht nach „%(to)s“; die nächste Phase ist „%(next)s“.")
                % {
                    "from": _phase_label(round_),
                    "to": Phase(phase).label,
                    "next": ", ".join(
                        str(Phase(p).label) for p in sorted(PHASE_TRANSITIONS[round_.phase])
                    ),
                },
                field="phase",
            )
        _change_phase(round_, phase, actor=actor, now=timezone.now())
    return round_


def agenda_item_start(*, actor: Actor, circle: Circle, item_id: int) -> AgendaItem:
    """Start an agenda item: it becomes the current one and, with a time box, gets a
    deadline kept by the server. Starting it again restarts its countdown."""
    item_id = checks.integer(item_id, "item")
    with transaction.atomic():
        lock_room(circle.pk)
        round_ = _active_round(circle)
        _authorize(
            actor,
            "deliberation.run_agenda",
            round_ or circle,
            who=is_circle_moderator,
            forbidden=_("Nur die Moderation führt durch die Tagesordnung."),
            not_now=_not_now(round_, _("Einen Tagesordnungspunkt zu starten")),
        )
        assert round_ is not None  # the permission requires an active round
        item = (
            AgendaItem.objects.select_related("goal", "version")
            .filter(round=round_, pk=item_id)
            .first()
        )
        if item is None:
            raise NotFound(_("Diesen Punkt gibt es auf der Tagesordnung nicht."), field="item")
        now = timezone.now()
        item.started_at = now
        item.deadline = now + timedelta(seconds=item.time_box) if item.time_box else None
        item.save(update_fields=["started_at", "deadline"])
        round_.current_item = item
        round_.save(update_fields=["current_item"])
        record_event(
            circle=circle,
            kind="agenda.item_started",
            payload={
                "round": round_.pk,
                "item": payloads.agenda_item_data(item, now=now),
                "server_time": utc_iso(now),
            },
            actor=actor,
        )
    return item


# --- ratings ---------------------------------------------------------------------------------


def rating_set(
    *, actor: Actor, circle: Circle, goal_id: int, support: int, needs_rework: bool = False
) -> Rating:
    """Set or change the actor's rating of an agenda goal during discussion; the room hears
    the new aggregate (and the individual ratings if the round makes them public)."""
    goal_id = checks.integer(goal_id, "goal")
    support = checks.integer(support, "support")
    if not 1 <= support <= 5:
        raise Invalid(_("Die Zustimmung liegt zwischen 1 und 5."), field="support")
    if not isinstance(needs_rework, bool):
        raise Invalid(_("needs_rework muss wahr oder falsch sein."), field="needs_rework")
    with transaction.atomic():
        lock_room(circle.pk)
        round_ = round_selectors.active_round_row(circle.pk)  # compiled: every rating asks
        if round_ is not None:
            round_.circle = circle
        _authorize(
            actor,
            "deliberation.rate_goal",
            round_ or circle,
            who=may_rate,
            forbidden=_("Nur Expertinnen, Experten und die Moderation bewerten Ziele."),
            not_now=_not_now(round_, _("Bewerten")),
        )
        assert round_ is not None
        if not round_selectors.on_agenda(round_, goal_id):
            raise NotFound(_("Dieses Ziel steht nicht auf der Tagesordnung."), field="goal")
        now = timezone.now()
        expert = user_of(actor)
        rating = round_selectors.own_rating(round_, goal_id, expert.pk) if expert else None
        if rating is None:
            rating = Rating.objects.create(
                round=round_,
                goal_id=goal_id,
                expert=user_of(actor),
                support=support,
                needs_rework=needs_rework,
                created_at=now,
                updated_at=now,
            )
        elif (rating.support, rating.needs_rework) == (support, needs_rework):
            return rating
        else:
            rating.support = support
            rating.needs_rework = needs_rework
            rating.updated_at = now
            rating.save(update_fields=["support", "needs_rework", "updated_at"])
        record_event(
            circle=circle,
            kind="rating.aggregate",
            payload={"aggregate": round_selectors.rating_aggregate(round_, goal_id)},
            actor=actor,
        )
    return rating


# --- ideas -----------------------------------------------------------------------------------


def idea_propose(
    *,
    actor: Actor,
    circle: Circle,
    title: str,
    text: str,
    rationale: str = "",
    client_key: str = "",
) -> tuple[Idea, bool]:
    """Propose a new goal during discussion. Idempotent per author and ``client_key`` like
    comments: the same key again returns the existing idea and ``created=False``."""
    title = checks.text(title, "title", label=_("Der Titel"), required=True, max_length=200)
    text = checks.text(text, "text", label=_("Der Text"), required=True, max_length=TEXT_MAX_LENGTH)
    rationale = checks.text(
        rationale, "rationale", label=_("Die Begründung"), required=False, max_length=5000
    )
    if not isinstance(client_key, str) or len(client_key) > CLIENT_KEY_MAX_LENGTH:
        raise Invalid(_("client_key muss Text mit höchstens 64 Zeichen sein."), field="client_key")
    if client_key and getattr(actor, "is_authenticated", False):
        existing = Idea.objects.filter(author=user_of(actor), client_key=client_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            lock_room(circle.pk)
            round_ = _active_round(circle)
            _authorize(
                actor,
                "deliberation.propose_idea",
                round_ or circle,
                who=may_propose_idea,
                forbidden=_("Nur Expertinnen, Experten und die Moderation schlagen Ideen vor."),
                not_now=_not_now(round_, _("Eine Idee vorzuschlagen")),
            )
            idea = Idea.objects.create(
                round=round_,
                circle=circle,
                author=user_of(actor),
                title=title,
                text=text,
                rationale=rationale,
                client_key=client_key,
                created_at=timezone.now(),
            )
            record_event(
                circle=circle,
                kind="idea.proposed",
                payload={"idea": payloads.idea_data(idea)},
                actor=actor,
            )
    except IntegrityError:
        existing = Idea.objects.filter(author=user_of(actor), client_key=client_key).first()
        if client_key and existing is not None:
            return existing, False
        raise
    return idea, True


def _decidable_idea(circle: Circle, idea_id: Any) -> Idea:
    idea = (
        Idea.objects.select_related("author", "round")
        .filter(circle=circle, pk=checks.integer(idea_id, "idea"))
        .first()
    )
    if idea is None:
        raise NotFound(_("Diese Idee gibt es in diesem Raum nicht."), field="idea")
    if idea.state != Idea.State.PROPOSED:
        raise Conflict(
            _("Über diese Idee ist schon entschieden: %(state)s.")
            % {"state": Idea.State(idea.state).label},
            field="idea",
        )
    return idea


def idea_accept(
    *,
    actor: Actor,
    circle: Circle,
    idea_id: int,
    title: str | None = None,
    text: str | None = None,
    rationale: str | None = None,
    response: str = "",
) -> Idea:
    """Accept an idea onto the working group's list: it becomes a draft goal of the field
    (title and text may be edited on the way). The idea's disposition records that, with
    the new goal's first version as the place it was taken up."""
    if actor is None or not can(actor, "deliberation.decide_idea", circle):
        raise Forbidden(_("Nur die Moderation entscheidet über Ideen."))
    response = checks.text(
        response, "response", label=_("Die Antwort"), required=False, max_length=5000
    )
    with transaction.atomic():
        _lock_field_rooms(circle)
        idea = _decidable_idea(circle, idea_id)
        goal = services.goal_create(
            actor=actor,
            action_field=circle.action_field,
            title=idea.title if title is None else title,
            text=idea.text if text is None else text,
            rationale=idea.rationale if rationale is None else rationale,
        )
        version = goal.current_version
        assert version is not None
        now = timezone.now()
        idea.state = Idea.State.ACCEPTED
        idea.resulting_goal = goal
        idea.decided_by = user_of(actor)
        idea.decided_at = now
        idea.save(update_fields=["state", "resulting_goal", "decided_by", "decided_at"])
        VersionFeedbackLink.objects.create(version=version, idea=idea)
        disposition, _changed = _dispose(
            idea=idea,
            value=Disposition.Value.ACCEPTED,
            response=response
            or _("Als Entwurf „%(title)s“ in die Liste der Arbeitsgruppe aufgenommen.")
            % {"title": goal.title},
            actor=actor,
            round_=_active_round(circle),
            now=now,
            addressed_in=version,
        )
        record_event(
            circle=circle,
            kind="idea.accepted",
            payload={"idea": payloads.idea_data(idea), "goal": payloads.goal_data(goal)},
            actor=actor,
        )
        _record_disposition(disposition, actor=actor)
    return idea


def idea_decline(*, actor: Actor, circle: Circle, idea_id: int, reason: str) -> Idea:
    """Decline an idea with a reason; the reason is its disposition's response."""
    if actor is None or not can(actor, "deliberation.decide_idea", circle):
        raise Forbidden(_("Nur die Moderation entscheidet über Ideen."))
    reason = checks.text(
        reason, "reason", label=_("Die Begründung"), required=True, max_length=5000
    )
    with transaction.atomic():
        lock_room(circle.pk)
        idea = _decidable_idea(circle, idea_id)
        now = timezone.now()
        idea.state = Idea.State.DECLINED
        idea.decline_reason = reason
        idea.decided_by = user_of(actor)
        idea.decided_at = now
        idea.save(update_fields=["state", "decline_reason", "decided_by", "decided_at"])
        disposition, _changed = _dispose(
            idea=idea,
            value=Disposition.Value.NOT_ACCEPTED,
            response=reason,
            actor=actor,
            round_=_active_round(circle),
            now=now,
        )
        record_event(
            circle=circle,
            kind="idea.declined",
            payload={"idea": payloads.idea_data(idea)},
            actor=actor,
        )
        _record_disposition(disposition, actor=actor)
    return idea


# --- dispositions ----------------------------------------------------------------------------


def disposition_set(
    *,
    actor: Actor,
    circle: Circle,
    value: str,
    response: str,
    comment_id: int | None = None,
    idea_id: int | None = None,
    vote_reason_id: int | None = None,
) -> Disposition:
    """Give one piece of feedback of the room (a top-level comment, an idea, or a concern or
    veto from a vote in the room; of this round or carried over) its disposition during
    evaluation; setting it again changes it."""
    if sum(x is not None for x in (comment_id, idea_id, vote_reason_id)) != 1:
        raise Invalid(
            _(
                "Bitte genau einen Kommentar, eine Idee oder eine Begründung aus einer "
                "Abstimmung angeben."
            ),
            field="feedback",
        )
    if value not in Disposition.Value.values:
        raise Invalid(_("Unbekannte Entscheidung: %(v)s") % {"v": value}, field="value")
    response = checks.text(
        response, "response", label=_("Die Antwort"), required=True, max_length=5000
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
        comment = idea = vote_reason = None
        if vote_reason_id is not None:
            vote_reason = VoteReason.objects.filter(
                circle=circle, pk=checks.integer(vote_reason_id, "vote_reason")
            ).first()
            if vote_reason is None:
                raise NotFound(
                    _("Diese Begründung aus einer Abstimmung gibt es in diesem Raum nicht."),
                    field="vote_reason",
                )
        elif comment_id is not None:
            comment = Comment.objects.filter(
                circle=circle, pk=checks.integer(comment_id, "comment")
            ).first()
            if comment is None:
                raise NotFound(_("Diesen Kommentar gibt es in diesem Raum nicht."), field="comment")
            if comment.parent_id is not None:
                raise Invalid(
                    _("Antworten gehören zu ihrem Kommentar; bewerten Sie den Kommentar."),
                    field="comment",
                )
            if comment.state != Comment.State.VISIBLE:
                raise Conflict(
                    _("Über ausgeblendete Kommentare wird nicht entschieden."), field="comment"
                )
        else:
            idea = Idea.objects.filter(circle=circle, pk=checks.integer(idea_id, "idea")).first()
            if idea is None:
                raise NotFound(_("Diese Idee gibt es in diesem Raum nicht."), field="idea")
        disposition, changed = _dispose(
            comment=comment,
            idea=idea,
            vote_reason=vote_reason,
            value=value,
            response=response,
            actor=actor,
            round_=round_,
            now=timezone.now(),
        )
        if changed:
            _record_disposition(disposition, actor=actor)
    return disposition


# --- versions --------------------------------------------------------------------------------


def goal_version_publish(
    *,
    actor: Actor,
    circle: Circle,
    goal_id: int,
    text: str,
    rationale: str | None = None,
    change_note: str = "",
    comment_ids: Iterable[int] = (),
    idea_ids: Iterable[int] = (),
    vote_reason_ids: Iterable[int] = (),
    proposal_ids: Iterable[int] = (),
) -> GoalVersion:
    """Publish a revised version of a goal and link the feedback it takes up.

    In a room with an active round only during revision; a goal still under discussion or
    evaluation in any room keeps its wording until then. Linked feedback whose disposition
    waits for a version is marked as taken up by this one (``addressed_in``). Without
    ``rationale`` the current rationale stays. ``vote_reason_ids``: concerns and vetoes from
    votes on this goal. ``proposal_ids``: accepted change proposals the text applies
    (``deliberation.proposals.proposals_mark_applied``)."""
    goal_id = checks.integer(goal_id, "goal")
    applied_ids = checks.integer_list(list(proposal_ids), "proposal_ids")
    comment_list = checks.integer_list(list(comment_ids), "comment_ids")
    idea_list = checks.integer_list(list(idea_ids), "idea_ids")
    reason_list = checks.integer_list(list(vote_reason_ids), "vote_reason_ids")
    change_note = checks.text(
        change_note, "change_note", label=_("Die Änderungsnotiz"), required=False, max_length=5000
    )
    with transaction.atomic():
        goal = (
            Goal.objects.select_for_update()
            .filter(pk=goal_id, action_field_id=circle.action_field_id)
            .first()
        )
        _lock_field_rooms(circle)
        round_ = _active_round(circle)
        _authorize(
            actor,
            "deliberation.publish_revision",
            round_ or circle,
            who=may_revise,
            forbidden=_("Nur die Arbeitsgruppe und die Moderation veröffentlichen Fassungen."),
            not_now=_not_now(round_, _("Eine neue Fassung zu veröffentlichen")),
        )
        if goal is None:
            raise NotFound(_("Dieses Ziel gibt es in diesem Handlungsfeld nicht."), field="goal")
        busy = (
            Round.objects.filter(agenda__goal=goal, phase__in=[Phase.DISCUSSION, Phase.EVALUATION])
            .select_related("circle")
            .first()
        )
        if busy is not None:
            raise Conflict(
                _("„%(goal)s“ wird in „%(room)s“ gerade beraten (Phase „%(phase)s“).")
                % {"goal": goal.title, "room": busy.circle.title, "phase": _phase_label(busy)},
                field="goal",
            )
        comments = list(Comment.objects.filter(pk__in=comment_list, goal=goal, parent__isnull=True))
        if len(comments) != len(comment_list):
            found = {c.pk for c in comments}
            raise Invalid(
                _("Diese Kommentare gehören nicht zu diesem Ziel: %(ids)s")
                % {"ids": ", ".join(str(i) for i in comment_list if i not in found)},
                field="comment_ids",
            )
        ideas = list(
            Idea.objects.filter(pk__in=idea_list, circle__action_field_id=circle.action_field_id)
        )
        if len(ideas) != len(idea_list):
            found = {i.pk for i in ideas}
            raise Invalid(
                _("Diese Ideen gibt es in diesem Handlungsfeld nicht: %(ids)s")
                % {"ids": ", ".join(str(i) for i in idea_list if i not in found)},
                field="idea_ids",
            )
        reasons = list(VoteReason.objects.filter(pk__in=reason_list, goal=goal).order_by("pk"))
        if len(reasons) != len(set(reason_list)):
            found = {r.pk for r in reasons}
            raise Invalid(
                _("Diese Begründungen aus Abstimmungen gehören nicht zu diesem Ziel: %(ids)s")
                % {"ids": ", ".join(str(i) for i in reason_list if i not in found)},
                field="vote_reason_ids",
            )
        if rationale is None:  # not given: the rationale stays as it was
            current = goal.current_version
            rationale = current.rationale if current is not None else ""
        previous = goal.current_version
        version = services.goal_version_create(
            actor=actor, goal=goal, text=text, rationale=rationale, change_note=change_note
        )
        proposals.proposals_mark_applied(
            actor=actor, goal=goal, previous=previous, version=version, ids=applied_ids
        )
        anchors.forget_applied(version=version)  # applied proposals need no placement
        VersionFeedbackLink.objects.bulk_create(
            [VersionFeedbackLink(version=version, comment=c) for c in comments]
            + [VersionFeedbackLink(version=version, idea=i) for i in ideas]
            + [VersionFeedbackLink(version=version, vote_reason=r) for r in reasons]
        )
        taken_up = (
            Disposition.objects.filter(addressed_in__isnull=True)
            .filter(Q(comment__in=comments) | Q(idea__in=ideas) | Q(vote_reason__in=reasons))
            .select_related("comment", "idea", "vote_reason", "decided_by")
            .order_by("pk")
        )
        for disposition in taken_up:
            disposition.addressed_in = version
            disposition.save(update_fields=["addressed_in"])
            _record_disposition(disposition, actor=actor)
        if comments or ideas or reasons:
            refs = [payloads.feedback_ref(comment=c) for c in comments]
            refs += [payloads.feedback_ref(idea=i) for i in ideas]
            refs += [payloads.feedback_ref(vote_reason=r) for r in reasons]
            for pk in (
                Circle.objects.filter(action_field_id=circle.action_field_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            ):
                record_event(
                    circle=pk,
                    kind="version.feedback_linked",
                    payload={
                        "version": {"id": version.pk, "goal": goal.pk, "number": version.number},
                        "feedback": refs,
                    },
                    actor=actor,
                )
    return version
