"""Change proposals ("Änderungsanträge", ``docs/protocol.md``, "Change proposals"): a member
proposes new wording for a passage of a goal's current version, with a reason. Each
proposal is a piece of feedback: it gets a disposition during evaluation (accepted,
accepted with changes = ``partially_accepted`` with the modified wording, rejected =
``not_accepted``, answered), may be put to a quick open vote in the room by the moderator,
and when accepted is applied to the text of the goal's next version
(``deliberation.rounds.services.goal_version_publish``, ``proposal_ids``).

Every write here validates, writes under the room lock, records its room event and leaves
the broadcast to after commit (``deliberation.eventlog``). The same permission and phase
rules as comments: who may comment may propose, while the room takes comments.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import payloads, phases
from deliberation.eventlog import lock_room, record_event
from deliberation.models import (
    ChangeProposal,
    Circle,
    Disposition,
    Goal,
    GoalVersion,
    ProposalBallot,
    ProposalVote,
)
from deliberation.models.proposals import CONTEXT_MAX, QUOTE_MAX
from deliberation.proposal_text import (
    OverlapError,
    Span,
    SpanError,
    apply_spans,
    conflict_map,
)
from deliberation.rounds.diff import diff_words
from deliberation.rounds.dispositions import _dispose, _record_disposition
from deliberation.rounds.selectors import active_round
from deliberation.rules import may_evaluate, may_revise
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.rendering import split_paragraphs
from kernel.types import Actor, user_of

REPLACEMENT_MAX = 5000
REASON_MAX = 5000
CLIENT_KEY_MAX = 64
# Dispositions that put a proposal's wording into the next version.
ADOPTING = (Disposition.Value.ACCEPTED, Disposition.Value.PARTIALLY_ACCEPTED)
DROPPED = (Disposition.Value.NOT_ACCEPTED, Disposition.Value.ANSWERED)


# --- payloads --------------------------------------------------------------------------------


def _ops(old: str, new: str) -> list[dict[str, str]]:
    return [op.as_dict() for op in diff_words(old, new)]


def _vote_data(vote: ProposalVote) -> dict[str, Any]:
    """A quick vote: an open show of hands, so who raised which hand is public."""
    ballots = sorted(vote.ballots.all(), key=lambda b: b.pk)
    counts = {"yes": vote.yes, "no": vote.no, "abstain": vote.abstain}
    if vote.closed_at is None:
        counts = dict.fromkeys(ProposalBallot.Choice.values, 0)
        for ballot in ballots:
            counts[ballot.choice] += 1
    return {
        "id": vote.pk,
        "proposal": vote.proposal_id,
        "open": vote.closed_at is None,
        "opened_at": vote.opened_at.isoformat(),
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        **counts,
        "ballots": [{"person": payloads.person(b.voter), "choice": b.choice} for b in ballots],
    }


def proposal_data(proposal: ChangeProposal, *, conflicts_with: list[int]) -> dict[str, Any]:
    """A proposal as the room, the API and the snapshot show it. ``diff``: the word diff from
    the quote to the replacement (``deliberation.rounds.diff``), so clients only render."""
    disposition = getattr(proposal, "disposition", None)
    votes = sorted(proposal.votes.all(), key=lambda v: v.pk)
    adopted = proposal.adopted_text
    applied = proposal.applied_in
    return {
        "id": proposal.pk,
        "goal": proposal.goal_id,
        "version": {"id": proposal.version_id, "number": proposal.version.number},
        "author": payloads.person(proposal.author),
        "paragraph": proposal.paragraph,
        "start": proposal.start,
        "end": proposal.end,
        "quote": proposal.quote,
        "prefix": proposal.prefix,
        "suffix": proposal.suffix,
        "replacement": proposal.replacement,
        "reason": proposal.reason,
        "state": proposal.state,
        "created_at": proposal.created_at.isoformat(),
        "withdrawn_at": proposal.withdrawn_at.isoformat() if proposal.withdrawn_at else None,
        "diff": _ops(proposal.quote, proposal.replacement),
        "disposition": payloads.disposition_data(disposition) if disposition else None,
        "adopted_text": adopted,
        "adopted_diff": _ops(proposal.quote, adopted) if adopted is not None else None,
        "applied_in": {"id": applied.pk, "number": applied.number} if applied else None,
        "vote": _vote_data(votes[-1]) if votes else None,
        "conflicts_with": conflicts_with,
    }


def _with_related(queryset: QuerySet[ChangeProposal]) -> QuerySet[ChangeProposal]:
    return queryset.select_related(
        "author",
        "version",
        "applied_in",
        "disposition__decided_by",
        "disposition__addressed_in",
    ).prefetch_related(
        Prefetch("votes", queryset=ProposalVote.objects.prefetch_related("ballots__voter"))
    )


def _is_live(proposal: ChangeProposal) -> bool:
    """Still in play for its passage: open, not applied, not rejected or merely answered."""
    disposition = getattr(proposal, "disposition", None)
    return (
        proposal.state == ChangeProposal.State.OPEN
        and proposal.applied_in_id is None
        and (disposition is None or disposition.value not in DROPPED)
    )


def _span(proposal: ChangeProposal, text: str | None = None) -> Span:
    return Span(
        id=proposal.pk,
        paragraph=proposal.paragraph,
        start=proposal.start,
        end=proposal.end,
        text=proposal.replacement if text is None else text,
    )


def _conflicts(proposals: Iterable[ChangeProposal]) -> dict[int, list[int]]:
    """Overlapping live proposals on the same version: id → the ids it collides with."""
    by_version: dict[int, list[Span]] = {}
    for proposal in proposals:
        if _is_live(proposal):
            by_version.setdefault(proposal.version_id, []).append(_span(proposal))
    result: dict[int, list[int]] = {}
    for spans in by_version.values():
        result.update(conflict_map(spans))
    return result


def room_proposals(circle: Circle | int) -> list[dict[str, Any]]:
    """Every proposal made in the room, oldest first, with its conflicts (the snapshot's
    ``proposals``). A fixed number of queries."""
    proposals = list(_with_related(ChangeProposal.objects.filter(circle=circle)).order_by("pk"))
    conflicts = _conflicts(proposals)
    return [proposal_data(p, conflicts_with=conflicts.get(p.pk, [])) for p in proposals]


def proposal_detail(circle: Circle, proposal_id: int) -> dict[str, Any] | None:
    for data in room_proposals(circle):
        if data["id"] == proposal_id:
            return data
    return None


def _record(circle_id: int, kind: str, proposal: ChangeProposal, actor: Any) -> None:
    """A ``proposal.*`` event: the proposal, and the conflicts of every proposal on its
    version in the room (a new or withdrawn proposal changes the others' too)."""
    siblings = list(
        _with_related(
            ChangeProposal.objects.filter(circle_id=circle_id, version_id=proposal.version_id)
        ).order_by("pk")
    )
    conflicts = _conflicts(siblings)
    fresh = next(p for p in siblings if p.pk == proposal.pk)
    record_event(
        circle=circle_id,
        kind=kind,
        payload={
            "proposal": proposal_data(fresh, conflicts_with=conflicts.get(fresh.pk, [])),
            "conflicts": [
                {"id": p.pk, "conflicts_with": conflicts.get(p.pk, [])} for p in siblings
            ],
        },
        actor=actor,
    )


# --- proposing and withdrawing -----------------------------------------------------------------


def _room_goal(circle: Circle, goal_id: Any) -> Goal:
    goal = (
        Goal.objects.select_related("current_version")
        .filter(pk=checks.integer(goal_id, "goal"), action_field_id=circle.action_field_id)
        .first()
    )
    if goal is None or goal.current_version is None:
        raise NotFound(_("Dieses Ziel gibt es in diesem Raum nicht."), field="goal")
    return goal


def _check_passage(
    version: GoalVersion, paragraph: Any, start: Any, end: Any, quote: Any
) -> tuple[int, int, int, str, str, str]:
    """``(paragraph, start, end, quote, prefix, suffix)`` when the passage fits the version."""
    paragraphs = split_paragraphs(version.text)
    paragraph = checks.integer(paragraph, "paragraph")
    if not 1 <= paragraph <= len(paragraphs):
        raise Invalid(
            _("Absatz %(p)s gibt es nicht; diese Fassung hat %(n)s Absätze.")
            % {"p": paragraph, "n": len(paragraphs)},
            field="paragraph",
        )
    text = paragraphs[paragraph - 1]
    start, end = checks.integer(start, "start"), checks.integer(end, "end")
    if not 0 <= start < end <= len(text):
        raise Invalid(
            _(
                "Die Stelle %(s)s–%(e)s passt nicht in Absatz %(p)s (0 bis %(n)s Zeichen); "
                "markieren Sie mindestens ein Zeichen."
            )
            % {"s": start, "e": end, "p": paragraph, "n": len(text)},
            field="start",
        )
    if end - start > QUOTE_MAX:
        raise Invalid(
            _("Die markierte Stelle darf höchstens %(n)s Zeichen lang sein.") % {"n": QUOTE_MAX},
            field="quote",
        )
    if not isinstance(quote, str) or quote != text[start:end]:
        raise Invalid(
            _(
                "Das Zitat stimmt nicht mit dem Text an dieser Stelle überein "
                "(Absatz %(p)s, Zeichen %(s)s–%(e)s: „%(t)s“). Laden Sie die Seite neu."
            )
            % {"p": paragraph, "s": start, "e": end, "t": text[start:end][:80]},
            field="quote",
        )
    prefix = text[max(0, start - CONTEXT_MAX) : start]
    suffix = text[end : end + CONTEXT_MAX]
    return paragraph, start, end, quote, prefix, suffix


def proposal_create(
    *,
    actor: Actor,
    circle: Circle,
    goal_id: int,
    paragraph: int,
    start: int,
    end: int,
    quote: str,
    replacement: str,
    reason: str,
    client_key: str = "",
) -> tuple[ChangeProposal, bool]:
    """Propose ``replacement`` for the passage ``quote`` = paragraph ``paragraph``'s text
    ``[start:end]`` of the goal's current version. Idempotent per author and ``client_key``
    (``created`` False, nothing recorded). Returns ``(proposal, created)``."""
    if actor is None or not can(actor, "deliberation.post_comment", circle):
        raise Forbidden(_("Nur Mitglieder des Kreises können Änderungen vorschlagen."))
    if not isinstance(client_key, str) or len(client_key) > CLIENT_KEY_MAX:
        raise Invalid(_("client_key muss Text mit höchstens 64 Zeichen sein."), field="client_key")
    if client_key:
        existing = ChangeProposal.objects.filter(
            author=user_of(actor), client_key=client_key
        ).first()
        if existing is not None:
            return existing, False
    replacement = checks.text(
        replacement,
        "replacement",
        label=_("Die neue Formulierung"),
        required=False,
        max_length=REPLACEMENT_MAX,
        strip=False,
    )
    if "\n\n" in replacement.replace("\r\n", "\n"):
        raise Invalid(
            _("Die neue Formulierung bleibt in ihrem Absatz: bitte ohne Leerzeile."),
            field="replacement",
        )
    reason = checks.text(
        reason, "reason", label=_("Die Begründung"), required=True, max_length=REASON_MAX
    )
    try:
        with transaction.atomic():
            lock_room(circle.pk)
            round_ = active_round(circle)
            if round_ is not None and not phases.allows(round_.phase, phases.Action.COMMENT):
                raise Conflict(
                    _(
                        "Runde %(n)s ist in der Phase „%(phase)s“: Änderungsvorschläge sind nur "
                        "in der Diskussionsphase möglich."
                    )
                    % {"n": round_.number, "phase": round_.get_phase_display()},
                    field="phase",
                )
            goal = _room_goal(circle, goal_id)
            if goal.status != Goal.Status.IN_DISCUSSION:
                raise Conflict(
                    _("Änderungen lassen sich nur für Ziele in Diskussion vorschlagen."),
                    field="goal",
                )
            version = goal.current_version
            assert version is not None
            paragraph, start, end, quote, prefix, suffix = _check_passage(
                version, paragraph, start, end, quote
            )
            if replacement == quote:
                raise Invalid(
                    _("Die neue Formulierung ist dieselbe wie der Text an dieser Stelle."),
                    field="replacement",
                )
            proposal = ChangeProposal.objects.create(
                circle=circle,
                goal=goal,
                version=version,
                round=round_,
                author=user_of(actor),
                paragraph=paragraph,
                start=start,
                end=end,
                quote=quote,
                prefix=prefix,
                suffix=suffix,
                replacement=replacement,
                reason=reason,
                client_key=client_key,
                created_at=timezone.now(),
            )
            _record(circle.pk, "proposal.created", proposal, actor)
    except IntegrityError:
        existing = ChangeProposal.objects.filter(
            author=user_of(actor), client_key=client_key
        ).first()
        if client_key and existing is not None:
            return existing, False
        raise
    return proposal, True


def _locked_proposal(circle: Circle, proposal_id: Any) -> ChangeProposal:
    """Precondition: the caller holds the room lock."""
    proposal = (
        _with_related(ChangeProposal.objects.filter(circle=circle))
        .filter(pk=checks.integer(proposal_id, "proposal"))
        .first()
    )
    if proposal is None:
        raise NotFound(
            _("Diesen Änderungsvorschlag gibt es in diesem Raum nicht."), field="proposal"
        )
    return proposal


def proposal_withdraw(*, actor: Actor, circle: Circle, proposal_id: int) -> ChangeProposal:
    """The author withdraws their own proposal, as long as nobody has decided on it."""
    with transaction.atomic():
        lock_room(circle.pk)
        proposal = _locked_proposal(circle, proposal_id)
        if actor is None or getattr(actor, "pk", None) != proposal.author_id:
            raise Forbidden(_("Nur wer einen Vorschlag gemacht hat, kann ihn zurückziehen."))
        if proposal.state == ChangeProposal.State.WITHDRAWN:
            raise Conflict(_("Dieser Vorschlag ist schon zurückgezogen."), field="proposal")
        if getattr(proposal, "disposition", None) is not None or proposal.applied_in_id:
            raise Conflict(
                _(
                    "Über diesen Vorschlag ist entschieden; er kann nicht mehr "
                    "zurückgezogen werden."
                ),
                field="proposal",
            )
        if ProposalVote.objects.filter(proposal=proposal, closed_at__isnull=True).exists():
            raise Conflict(_("Über diesen Vorschlag wird gerade abgestimmt."), field="proposal")
        proposal.state = ChangeProposal.State.WITHDRAWN
        proposal.withdrawn_at = timezone.now()
        proposal.save(update_fields=["state", "withdrawn_at"])
        _record(circle.pk, "proposal.withdrawn", proposal, actor)
    return proposal


# --- the disposition ----------------------------------------------------------------------------


def proposal_dispose(
    *,
    actor: Actor,
    circle: Circle,
    proposal_id: int,
    value: str,
    response: str,
    modified_text: str | None = None,
) -> Disposition:
    """Decide on a proposal during evaluation, as on any feedback (``disposition.set``):
    ``accepted`` adopts the replacement, ``partially_accepted`` ("accepted with changes")
    adopts ``modified_text``, ``not_accepted`` and ``answered`` adopt nothing. Setting it
    again changes it, until the proposal is applied."""
    if value not in Disposition.Value.values:
        raise Invalid(_("Unbekannte Entscheidung: %(v)s") % {"v": value}, field="value")
    response = checks.text(
        response, "response", label=_("Die Antwort"), required=True, max_length=5000
    )
    if value == Disposition.Value.PARTIALLY_ACCEPTED:
        modified_text = checks.text(
            modified_text,
            "modified_text",
            label=_("Die geänderte Formulierung"),
            required=False,
            max_length=REPLACEMENT_MAX,
            strip=False,
        )
        if "\n\n" in modified_text.replace("\r\n", "\n"):
            raise Invalid(
                _("Die geänderte Formulierung bleibt in ihrem Absatz: bitte ohne Leerzeile."),
                field="modified_text",
            )
    with transaction.atomic():
        lock_room(circle.pk)
        round_ = active_round(circle)
        if actor is None or not may_evaluate.test(actor, round_ or circle):
            raise Forbidden(_("Nur die Arbeitsgruppe und die Moderation bewerten Rückmeldungen."))
        if not can(actor, "deliberation.set_disposition", round_ or circle):
            raise Conflict(
                _("Über Änderungsvorschläge wird in der Auswertungsphase einer Runde entschieden."),
                field="phase",
            )
        proposal = _locked_proposal(circle, proposal_id)
        if proposal.state != ChangeProposal.State.OPEN:
            raise Conflict(_("Dieser Vorschlag ist zurückgezogen."), field="proposal")
        if proposal.applied_in_id is not None:
            raise Conflict(
                _("Dieser Vorschlag ist schon in Fassung %(n)s übernommen.")
                % {"n": proposal.applied_in.number},  # type: ignore[union-attr]
                field="proposal",
            )
        adopted: str | None = None
        if value == Disposition.Value.ACCEPTED:
            adopted = proposal.replacement
        elif value == Disposition.Value.PARTIALLY_ACCEPTED:
            adopted = modified_text
        disposition, changed = _dispose(
            proposal=proposal,
            value=value,
            response=response,
            actor=actor,
            round_=round_,
            now=timezone.now(),
        )
        if changed or proposal.adopted_text != adopted:
            proposal.adopted_text = adopted
            proposal.save(update_fields=["adopted_text"])
            _record_disposition(disposition, actor=actor)
            _record(circle.pk, "proposal.decided", proposal, actor)
    return disposition


# --- the quick vote -----------------------------------------------------------------------------


def _open_vote(circle: Circle) -> ProposalVote | None:
    return ProposalVote.objects.filter(circle=circle, closed_at__isnull=True).first()


def proposal_vote_open(*, actor: Actor, circle: Circle, proposal_id: int) -> ProposalVote:
    """The moderator puts one proposal to a quick open vote (yes / no / abstain)."""
    if actor is None or not can(actor, "deliberation.moderate_room", circle):
        raise Forbidden(_("Nur die Moderation kann über einen Vorschlag abstimmen lassen."))
    with transaction.atomic():
        lock_room(circle.pk)
        proposal = _locked_proposal(circle, proposal_id)
        if not _is_live(proposal):
            raise Conflict(
                _("Über diesen Vorschlag kann nicht mehr abgestimmt werden."), field="proposal"
            )
        running = _open_vote(circle)
        if running is not None:
            raise Conflict(
                _("Es läuft schon eine Abstimmung über Vorschlag %(n)s.")
                % {"n": running.proposal_id},
                field="proposal",
            )
        vote = ProposalVote.objects.create(
            proposal=proposal, circle=circle, opened_by=user_of(actor), opened_at=timezone.now()
        )
        _record(circle.pk, "proposal.vote_opened", proposal, actor)
    return vote


def proposal_vote_cast(*, actor: Actor, circle: Circle, proposal_id: int, choice: str) -> None:
    """A member raises their hand (yes / no / abstain) in the running quick vote, or changes
    it; one per person (a database constraint)."""
    if actor is None or not can(actor, "deliberation.answer_pulse", circle):
        raise Forbidden(_("Nur Mitglieder des Kreises stimmen ab."))
    if choice not in ProposalBallot.Choice.values:
        raise Invalid(_("Die Stimme muss „yes“, „no“ oder „abstain“ sein."), field="choice")
    with transaction.atomic():
        lock_room(circle.pk)
        vote = _open_vote(circle)
        if vote is None or vote.proposal_id != checks.integer(proposal_id, "proposal"):
            raise Conflict(
                _("Über diesen Vorschlag wird gerade nicht abgestimmt."), field="proposal"
            )
        voter = user_of(actor)
        ballot = ProposalBallot.objects.filter(vote=vote, voter=voter).first()
        if ballot is not None and ballot.choice == choice:
            return
        if ballot is None:
            ProposalBallot.objects.create(
                vote=vote, voter=voter, choice=choice, cast_at=timezone.now()
            )
        else:
            ballot.choice = choice
            ballot.cast_at = timezone.now()
            ballot.save(update_fields=["choice", "cast_at"])
        proposal = _locked_proposal(circle, vote.proposal_id)
        _record(circle.pk, "proposal.vote_cast", proposal, actor)


def proposal_vote_close(*, actor: Actor, circle: Circle) -> ProposalVote:
    """The moderator closes the running quick vote; its counts are recorded on it."""
    if actor is None or not can(actor, "deliberation.moderate_room", circle):
        raise Forbidden(_("Nur die Moderation kann die Abstimmung beenden."))
    with transaction.atomic():
        lock_room(circle.pk)
        vote = _open_vote(circle)
        if vote is None:
            raise Conflict(_("Es läuft keine Abstimmung über einen Vorschlag."))
        counts = dict(vote.ballots.values_list("choice").annotate(n=Count("pk")))
        vote.yes = counts.get("yes", 0)
        vote.no = counts.get("no", 0)
        vote.abstain = counts.get("abstain", 0)
        vote.closed_at = timezone.now()
        vote.save(update_fields=["yes", "no", "abstain", "closed_at"])
        proposal = _locked_proposal(circle, vote.proposal_id)
        _record(circle.pk, "proposal.vote_closed", proposal, actor)
    return vote


# --- applying on publish ----------------------------------------------------------------------


def _applicable(goal: Goal, ids: list[int] | None) -> list[ChangeProposal]:
    """The accepted proposals on the goal's current version that no version took up yet
    (``ids``: these only, each must be one; None: all)."""
    base = _with_related(ChangeProposal.objects.filter(goal=goal)).order_by("pk")
    ready = [
        p
        for p in base.filter(
            version_id=goal.current_version_id,
            state=ChangeProposal.State.OPEN,
            applied_in__isnull=True,
            adopted_text__isnull=False,
            disposition__value__in=ADOPTING,
        )
    ]
    if ids is None:
        return ready
    found = {p.pk: p for p in ready}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(
            _(
                "Diese Vorschläge lassen sich nicht übernehmen (nicht angenommen, schon "
                "übernommen oder zu einer älteren Fassung): %(ids)s"
            )
            % {"ids": ", ".join(str(i) for i in missing)},
            field="proposal_ids",
        )
    return [found[i] for i in ids]


def _applied_text(version: GoalVersion, proposals: list[ChangeProposal]) -> str:
    spans = [_span(p, p.adopted_text) for p in proposals]
    try:
        return apply_spans(version.text, spans)
    except OverlapError as error:
        raise Conflict(
            _(
                "Diese angenommenen Vorschläge betreffen dieselbe Stelle und lassen sich nicht "
                "zusammen übernehmen: %(pairs)s. Übernehmen Sie einen davon und arbeiten Sie "
                "den anderen von Hand ein."
            )
            % {
                "pairs": "; ".join(
                    _("Vorschlag %(a)s und %(b)s") % {"a": a, "b": b} for a, b in error.pairs
                )
            },
            field="proposal_ids",
        ) from error
    except SpanError as error:  # pragma: no cover - checked when proposed
        raise Conflict(
            _("Vorschlag %(n)s passt nicht mehr in den Text.") % {"n": error.span.id},
            field="proposal_ids",
        ) from error


def proposals_preview(
    *, actor: Actor, circle: Circle, goal_id: int, proposal_ids: Iterable[int] | None = None
) -> tuple[str, list[ChangeProposal]]:
    """The goal's current text with the accepted proposals applied (all applicable ones, or
    ``proposal_ids``), for the drafter to review before publishing. Writes nothing."""
    if actor is None or not may_revise.test(actor, circle):
        raise Forbidden(_("Nur die Arbeitsgruppe und die Moderation veröffentlichen Fassungen."))
    goal = _room_goal(circle, goal_id)
    ids = None if proposal_ids is None else checks.integer_list(list(proposal_ids), "proposals")
    proposals = _applicable(goal, ids)
    assert goal.current_version is not None
    return _applied_text(goal.current_version, proposals), proposals


def proposals_mark_applied(
    *, actor: Actor, goal: Goal, previous: GoalVersion | None, version: GoalVersion, ids: list[int]
) -> list[ChangeProposal]:
    """Link the proposals the new ``version`` applies (``applied_in``), mark their
    dispositions as taken up by it and tell their rooms. ``previous``: the version they were
    made on (the goal's current version before this one). Refuses proposals that cannot be
    applied together.

    Precondition: inside ``goal_version_publish``'s transaction, which holds every room of
    the goal's field."""
    if not ids:
        return []
    if previous is None:
        raise Invalid(_("Dieses Ziel hatte noch keine Fassung."), field="proposal_ids")
    goal.current_version = previous  # as it was when the proposals were checked
    proposals = _applicable(goal, ids)
    goal.current_version = version
    _applied_text(previous, proposals)  # overlapping ones are refused, naming them
    for proposal in proposals:
        proposal.applied_in = version
        proposal.save(update_fields=["applied_in"])
        disposition = proposal.disposition
        disposition.addressed_in = version
        disposition.save(update_fields=["addressed_in"])
        _record_disposition(disposition, actor=actor)
        _record(proposal.circle_id, "proposal.applied", proposal, actor)
    return proposals


def version_proposals(version: GoalVersion) -> list[ChangeProposal]:
    """The proposals a version applied, by id."""
    return list(_with_related(ChangeProposal.objects.filter(applied_in=version)).order_by("pk"))


def proposal_trace(
    older: GoalVersion, newer: GoalVersion, ops: Iterable[Any]
) -> tuple[list[dict[str, Any]], str | None]:
    """For the compare page: the proposals applied by the versions after ``older`` up to
    ``newer`` (payloads), and, when ``newer`` directly follows ``older``, the word diff as
    HTML with every change that came from one of them linked to it (None otherwise)."""
    from django.utils.safestring import mark_safe

    from deliberation.proposal_text import attribute_ops, traced_html

    low, high = sorted((older.number, newer.number))
    applied = list(
        _with_related(
            ChangeProposal.objects.filter(
                goal_id=older.goal_id, applied_in__number__gt=low, applied_in__number__lte=high
            )
        ).order_by("applied_in__number", "pk")
    )
    if not applied:
        return [], None
    data = [proposal_data(p, conflicts_with=[]) for p in applied]
    if newer.number != older.number + 1:
        return data, None
    pairs = [(op.op, op.text) for op in ops]
    spans = [_span(p, p.adopted_text) for p in applied if p.version_id == older.pk]
    marks = attribute_ops(older.text, pairs, spans)
    return data, mark_safe(traced_html(pairs, marks))  # noqa: S308 - escaped in traced_html
