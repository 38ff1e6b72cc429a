"""Public ideas, questions and opinions: submitting, moderating, reporting, linking to goals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.models import ActionField, Concept, Goal
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.rendering import render_markdown
from kernel.types import Actor, user_of
from participation import ratelimit
from participation.models import (
    Contribution,
    ContributionReport,
)
from participation.services._common import (
    CONTRIBUTION_BODY_MAX_LENGTH,
    CONTRIBUTION_TITLE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPORT_REASON_MAX_LENGTH,
    _honeypot,
    _now,
    _when,
)
from participation.services.feedback import _require_undecided


def contribution_submit(
    *,
    actor: Actor,
    concept: Concept,
    kind: str,
    body: str,
    title: str = "",
    action_field: ActionField | None = None,
    website: str = "",
) -> Contribution:
    """A registered citizen's idea for an action field (until the concept's deadline for
    ideas), or a question or opinion on the concept. It waits for moderation.

    ``website`` is the forms' honeypot; rate-limited per account."""
    _honeypot(website)
    if actor is None or not can(actor, "participation.submit_contribution", concept):
        raise Forbidden(_("Bitte melden Sie sich mit einem bestätigten Konto an."))
    if kind not in Contribution.Kind.values:
        raise Invalid(_("Unbekannte Art: %(v)s") % {"v": kind}, field="kind")
    if kind == Contribution.Kind.IDEA:
        if action_field is None or action_field.concept_id != concept.pk:
            raise Invalid(
                _("Bitte wählen Sie ein Handlungsfeld dieses Konzepts."), field="action_field"
            )
        deadline = concept.ideas_deadline
        if deadline is not None and _now() >= deadline:
            raise Conflict(
                _(
                    "Die Frist für Ideen ist am %(when)s abgelaufen; Einsendungen sind "
                    "geschlossen. Schreiben Sie gern an %(email)s."
                )
                % {"when": _when(deadline), "email": contact_email(concept)},
                field="deadline",
            )
    elif action_field is not None:
        raise Invalid(_("Fragen und Meinungen gelten dem ganzen Konzept."), field="action_field")
    title = checks.text(
        title,
        "title",
        label=_("Der Titel"),
        required=kind == Contribution.Kind.IDEA,
        max_length=CONTRIBUTION_TITLE_MAX_LENGTH,
    )
    body = checks.text(
        body, "body", label=_("Der Text"), required=True, max_length=CONTRIBUTION_BODY_MAX_LENGTH
    )
    ratelimit.hit("contribution", f"user:{actor.pk}")
    return Contribution.objects.create(
        concept=concept,
        action_field=action_field,
        kind=kind,
        author=user_of(actor),
        title=title,
        body=body,
        body_html=render_markdown(body),
        created_at=_now(),
    )


def contact_email(concept: Concept) -> str:
    return concept.contact_email or settings.CONTACT_EMAIL


def _locked_contribution(contribution_id: Any) -> Contribution:
    contribution = (
        Contribution.objects.select_for_update()
        .filter(pk=checks.integer(contribution_id, "contribution"))
        .first()
    )
    if contribution is None:
        raise NotFound(_("Diesen Beitrag gibt es nicht."), field="contribution")
    return contribution


def _require_moderate(actor: Actor, contribution: Contribution) -> None:
    if actor is None or not can(actor, "participation.moderate_contribution", contribution):
        raise Forbidden(_("Nur die Moderation gibt Beiträge frei."))


def _resolve_reports(contribution: Contribution, actor: Actor, now: datetime) -> int:
    return contribution.reports.filter(resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor
    )


def contribution_moderate(
    *, actor: Actor, contribution_id: int, decision: str, reason: str = ""
) -> Contribution:
    """``approve``: the contribution becomes public. ``reject`` (with a reason the author
    sees): it stays hidden, also after it was public (e.g. after a report). Either settles
    the open reports about it."""
    if decision not in ("approve", "reject"):
        raise Invalid(_("Entscheidung muss approve oder reject sein."), field="decision")
    reason = checks.text(
        reason,
        "reason",
        label=_("Die Begründung"),
        required=decision == "reject",
        max_length=REASON_MAX_LENGTH,
    )
    with transaction.atomic():
        contribution = _locked_contribution(contribution_id)
        _require_moderate(actor, contribution)
        now = _now()
        contribution.state = (
            Contribution.State.APPROVED if decision == "approve" else Contribution.State.REJECTED
        )
        contribution.record_moderation(actor=actor, reason=reason, at=now)
        contribution.save(update_fields=["state", *Contribution.MODERATION_FIELDS])
        _resolve_reports(contribution, actor, now)
    return contribution


def contribution_reports_dismiss(*, actor: Actor, contribution_id: int) -> int:
    """The reports about a contribution were unfounded: it stays public. Returns how many."""
    with transaction.atomic():
        contribution = _locked_contribution(contribution_id)
        _require_moderate(actor, contribution)
        return _resolve_reports(contribution, actor, _now())


def contribution_report(
    *, actor: Actor, contribution_id: int, reason: str = "", client_key: str
) -> ContributionReport:
    """Anyone may flag a public contribution (rate-limited per client address); it goes back
    to the moderation queue until moderation decides."""
    reason = checks.text(
        reason, "reason", label=_("Der Grund"), required=False, max_length=REPORT_REASON_MAX_LENGTH
    )
    contribution = Contribution.objects.filter(
        pk=checks.integer(contribution_id, "contribution")
    ).first()
    if contribution is None or not _can(actor, "participation.report_contribution", contribution):
        raise NotFound(_("Diesen Beitrag gibt es nicht."), field="contribution")
    ratelimit.hit("report", client_key)
    return ContributionReport.objects.create(
        contribution=contribution,
        reporter=user_of(actor) if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        created_at=_now(),
    )


def _can(actor: Actor, perm: str, obj: Any) -> bool:
    return bool(can(actor, perm, obj))


def contribution_link_goal(
    *, actor: Actor, contribution_id: int, goal_id: int | None
) -> Contribution:
    """Link a contribution to a goal of its concept (an idea: of its action field), or
    unlink it; linked, it appears in the evaluation of the rounds on that goal."""
    with transaction.atomic():
        contribution = _locked_contribution(contribution_id)
        _require_moderate(actor, contribution)
        goal = None
        if goal_id is not None:
            goals = Goal.objects.filter(
                pk=checks.integer(goal_id, "goal"), action_field__concept_id=contribution.concept_id
            )
            if contribution.action_field_id is not None:
                goals = goals.filter(action_field_id=contribution.action_field_id)
            goal = goals.first()
            if goal is None:
                raise Invalid(_("Dieses Ziel passt nicht zu diesem Beitrag."), field="goal")
        _require_undecided(contribution)
        contribution.goal = goal
        contribution.save(update_fields=["goal"])
    return contribution


def ideas_deadline_set(*, actor: Actor, concept: Concept, deadline: datetime | None) -> Concept:
    """Set until when citizens may send ideas for ``concept`` (``None``: no deadline). The
    moderators of the concept's circles and staff may; a deadline in the past closes the
    ideas at once. The pages read it on every request, so it takes effect immediately."""
    if not can(actor, "participation.moderate_contribution", concept):
        raise Forbidden(_("Nur die Moderation kann die Frist für Ideen ändern."))
    if deadline is not None and (not isinstance(deadline, datetime) or timezone.is_naive(deadline)):
        raise Invalid(_("Die Frist braucht Datum, Uhrzeit und Zeitzone."), field="deadline")
    with transaction.atomic():
        locked = Concept.objects.select_for_update().get(pk=concept.pk)
        locked.ideas_deadline = deadline
        locked.save(update_fields=["ideas_deadline"])
    return locked
