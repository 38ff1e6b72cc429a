"""The evaluation assistant: a machine draft of each goal's feedback in a round, in which
every sentence cites the feedback it rests on; a moderator edits and approves it before
anybody else sees it.

The server holds the citation rule (``assist.citations``) at every step: a drafted sentence
without a citation, or citing anything but the round's feedback, is dropped from the draft
and shown to the moderator; an edited or approved text with such a sentence is refused. The
assistant writes summaries only: it never gives a disposition and never touches a vote.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assist import citations, providers
from assist.feedback import goal_items, round_items
from assist.models import Summary
from deliberation.models import Circle, Goal, Round
from deliberation.rounds import selectors as round_selectors
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.types import Actor, user_of

SYSTEM_PROMPT = (
    "Du fasst Rückmeldungen zu einem Ziel eines kommunalen Integrationskonzepts sachlich "
    "zusammen, auf Deutsch, in höchstens zehn Sätzen. Jeder Satz endet mit den Nummern der "
    "Rückmeldungen, auf die er sich stützt, in eckigen Klammern, z. B. [c12, a7]. Verwende "
    "nur die Nummern aus der Eingabe. Bewerte nicht, entscheide nichts, empfiehl keine "
    "Entscheidung."
)
TEXT_MAX_LENGTH = 20_000


@dataclass
class Draft:
    summary: Summary
    rejected: list[citations.Problem] = field(default_factory=list)


def _require_moderator(actor: Actor, circle: Circle) -> None:
    if not can(actor, "deliberation.view_room", circle):
        raise NotFound(_("Diese Runde gibt es nicht."))
    if not can(actor, "deliberation.manage_rounds", circle):
        raise Forbidden(_("Nur die Moderation des Raums arbeitet mit Zusammenfassungen."))


def _agenda_goal(round_: Round, goal_id: int) -> Goal:
    for item in round_selectors.round_agenda(round_):
        if item.goal_id == goal_id:
            return item.goal
    raise NotFound(_("Dieses Ziel steht nicht auf der Tagesordnung der Runde."), field="goal")


def build_prompt(goal: Goal, items: dict[str, object]) -> tuple[str, str]:
    """The prompt for one goal's feedback and the SHA-256 of its input (the goal and each
    cited text), so a stored summary says exactly what it was drafted from."""
    lines = [f"Ziel: {goal.title}", "", "Rückmeldungen:"]
    canonical = {"goal": goal.pk, "title": goal.title, "items": []}
    for key, item in items.items():
        text = " ".join(str(getattr(item, "text", "")).split())
        lines.append(f"[{key}] {text}")
        canonical["items"].append([key, text])  # type: ignore[attr-defined]
    digest = hashlib.sha256(
        json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ).hexdigest()
    return "\n".join(lines), digest


def _problem_message(problems: list[citations.Problem]) -> str:
    parts = []
    for problem in problems:
        if problem.kind == "uncited":
            parts.append(_("„%(s)s“ nennt keine Rückmeldung.") % {"s": problem.sentence})
        else:
            parts.append(
                _("„%(s)s“ nennt %(refs)s, die es in dieser Runde nicht gibt.")
                % {"s": problem.sentence, "refs": ", ".join(problem.refs)}
            )
    return _("Jeder Satz muss die Rückmeldungen der Runde nennen, auf die er sich stützt: ") + (
        " ".join(parts)
    )


def allowed_refs(round_: Round) -> set[str]:
    return set(round_items(round_))


def summary_draft(*, actor: Actor, circle: Circle, round_: Round, goal_id: int) -> Draft:
    """Ask the configured drafter for a summary of one goal's feedback in ``round_``; a new
    draft replaces an earlier one (an approved summary goes back to draft, unpublished)."""
    _require_moderator(actor, circle)
    drafter = providers.drafter()
    if drafter is None:
        raise Conflict(_("Der Auswertungsassistent ist in dieser Installation ausgeschaltet."))
    goal = _agenda_goal(round_, checks.integer(goal_id, "goal"))
    everything = round_items(round_)
    items = goal_items(everything, goal.pk)
    if not items:
        raise Conflict(_("Zu diesem Ziel gibt es in der Runde keine Rückmeldungen."), field="goal")
    prompt, digest = build_prompt(goal, dict(items))
    raw = drafter.draft(system=SYSTEM_PROMPT, prompt=prompt)
    problems = citations.check(raw, set(everything))
    bad = {problem.sentence for problem in problems}
    kept = " ".join(s for s in citations.sentences(raw) if s not in bad)
    if not kept:
        raise providers.ProviderError(
            _(
                "Der Entwurf enthielt keinen Satz mit gültigen Nachweisen; "
                "es wurde nichts gespeichert."
            )
        )
    with transaction.atomic():
        summary = Summary.objects.select_for_update().filter(round=round_, goal=goal).first()
        if summary is None:
            summary = Summary(round=round_, goal=goal)
        summary.status = Summary.Status.DRAFT
        summary.text = kept
        summary.model = f"{drafter.name}:{drafter.model}"
        summary.prompt = f"{SYSTEM_PROMPT}\n\n{prompt}"
        summary.input_hash = digest
        summary.drafted_at = timezone.now()
        summary.drafted_by = user_of(actor)
        summary.approved_by = None
        summary.approved_at = None
        summary.save()
    return Draft(summary=summary, rejected=problems)


def _locked_summary(circle: Circle, round_: Round, summary_id: int) -> Summary:
    summary = (
        Summary.objects.select_for_update()
        .filter(pk=checks.integer(summary_id, "summary"), round=round_, round__circle=circle)
        .first()
    )
    if summary is None:
        raise NotFound(_("Diese Zusammenfassung gibt es nicht."), field="summary")
    return summary


def _clean_text(round_: Round, text: str) -> str:
    text = checks.text(text, "text", label=_("Der Text"), required=True, max_length=TEXT_MAX_LENGTH)
    problems = citations.check(text, allowed_refs(round_))
    if problems:
        raise Invalid(_problem_message(problems), field="text")
    return text


def summary_update(
    *, actor: Actor, circle: Circle, round_: Round, summary_id: int, text: str
) -> Summary:
    """Save the moderator's edit of a draft; the citation rule holds for every sentence."""
    _require_moderator(actor, circle)
    text = _clean_text(round_, text)
    with transaction.atomic():
        summary = _locked_summary(circle, round_, summary_id)
        summary.text = text
        summary.status = Summary.Status.DRAFT
        summary.approved_by = None
        summary.approved_at = None
        summary.save()
    return summary


def summary_approve(
    *, actor: Actor, circle: Circle, round_: Round, summary_id: int, text: str | None = None
) -> Summary:
    """Publish a summary (with the moderator's last edit, if given) on the round's report,
    marked as machine-drafted and approved by ``actor``. Refused while any sentence breaks
    the citation rule."""
    _require_moderator(actor, circle)
    with transaction.atomic():
        summary = _locked_summary(circle, round_, summary_id)
        summary.text = _clean_text(round_, summary.text if text is None else text)
        summary.status = Summary.Status.APPROVED
        summary.approved_by = user_of(actor)
        summary.approved_at = timezone.now()
        summary.save()
    return summary


def summary_withdraw(*, actor: Actor, circle: Circle, round_: Round, summary_id: int) -> Summary:
    """Take an approved summary off the report (back to draft)."""
    _require_moderator(actor, circle)
    with transaction.atomic():
        summary = _locked_summary(circle, round_, summary_id)
        summary.status = Summary.Status.DRAFT
        summary.approved_by = None
        summary.approved_at = None
        summary.save()
    return summary


# --- reads --------------------------------------------------------------------------------


def round_summaries(round_: Round) -> list[Summary]:
    return list(
        Summary.objects.filter(round=round_)
        .select_related("goal", "approved_by", "drafted_by")
        .order_by("goal__order", "goal_id")
    )


def published_summaries(round_: Round) -> dict[int, Summary]:
    return {
        summary.goal_id: summary
        for summary in round_summaries(round_)
        if summary.status == Summary.Status.APPROVED
    }
