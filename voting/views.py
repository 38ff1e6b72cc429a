"""The vote's pages: a motion (rule, ballot, turnout; result and record once closed), a
circle's motions with the form to open new ones, and the concept document (screen, print,
Markdown). Thin doors: forms shape input, ``voting.services`` decides, selectors read.

Every page works without JavaScript. With a secret ballot no page shows who chose what: the
motion page shows a voter only their own ballot, the result only counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import selectors as attendance_selectors
from deliberation import selectors as deliberation_selectors
from deliberation.models import Concept
from kernel.errors import DomainError
from kernel.permissions import can
from kernel.rendering import render_markdown
from voting import export, payloads, presentation, selectors, services, tally
from voting.access import access_motion, access_motions_circle
from voting.forms import BallotForm, MotionCloseForm, MotionOpenForm
from voting.models import Motion

TALLY_SOURCE = Path(tally.__file__)


def _motion_context(
    request: HttpRequest,
    motion: Motion,
    *,
    ballot_form: BallotForm | None = None,
    close_form: MotionCloseForm | None = None,
) -> dict[str, Any]:
    user = request.user
    turnout: int = motion.turnout  # type: ignore[attr-defined]
    eligible: int = motion.eligible_count  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "motion": motion,
        "circle": motion.circle,
        "goal": motion.goal,
        "turnout": turnout,
        "eligible": eligible,
        "turnout_percent": presentation.percent(turnout, eligible),
        "rule_lines": presentation.rule_lines(motion.rule, eligible),
        "version_html": render_markdown(motion.version.text),
        "alternatives": [
            {"label": alt.label, "html": render_markdown(alt.text)}
            for alt in motion.alternatives.all()
        ],
        "is_eligible": False,
        "can_close": False,
    }
    if motion.is_open:
        context["is_eligible"] = can(user, "voting.cast_ballot", motion)
        context["can_close"] = can(user, "voting.close_motion", motion)
        if context["is_eligible"]:
            ballot = selectors.my_ballot(motion, user)
            context["my_ballot"] = ballot
            if ballot is not None:
                context["my_choice"] = presentation.choice_label(motion.method, ballot.choice)
            if ballot is None or motion.changeable:
                context["ballot_form"] = ballot_form or BallotForm(motion=motion, ballot=ballot)
        if context["can_close"]:
            context["close_form"] = close_form or MotionCloseForm(
                initial={"rejected_goal_status": motion.rejected_goal_status}
            )
        context["deputy_ballots"] = _deputy_ballots(motion, user)
        return context
    result = motion.result
    winner = result.winner.label if result.winner else None
    rows = presentation.chart_rows(motion.method, result.counts, winner)
    counted = result.record["result"]
    context.update(
        {
            "result": result,
            "counted": counted,
            "chart_rows": rows,
            "chart_height": 30 * len(rows) + 10,
            "share": counted.get("share"),
            "share_percent": (
                presentation.percent(*map(int, counted["share"].split("/")))
                if counted.get("share")
                else None
            ),
            "ranking": counted.get("ranking"),
            "electorate": payloads.electorate_data(motion),
            "record_size": len(tally.canonical_json(result.record)),
            "open_ballots": (
                []
                if motion.secret
                else [
                    {
                        "name": b["voter"]["name"],
                        "choice": presentation.choice_label(motion.method, b.get("choice", "")),
                        "resistances": b.get("resistances"),
                        "reason": b["reason"],
                    }
                    for b in sorted(
                        result.record["ballots"], key=lambda b: b["voter"]["name"].casefold()
                    )
                ]
            ),
            "public_reasons": (
                [
                    {
                        "choice": presentation.choice_label(motion.method, b.get("choice", "")),
                        "reason": b["reason"],
                    }
                    for b in result.record["ballots"]
                    if b["reason"]
                ]
                if motion.secret
                else []
            ),
        }
    )
    return context


def _deputy_ballots(motion: Motion, user: Any) -> list[dict[str, Any]]:
    """A ballot form for each absent member ``user`` stands in for as their deputy on this
    open motion (nothing for anybody else; ``voting/_deputy_ballots.html``)."""
    items: list[dict[str, Any]] = []
    for right in attendance_selectors.deputy_rights_of(motion, user):
        show_form = not right.used or motion.changeable
        items.append(
            {
                "member": right.member,
                "name": right.member.get_full_name() or right.member.get_username(),
                "used": right.used,
                "form": (
                    BallotForm(motion=motion, prefix=f"for-{right.member_id}")
                    if show_form
                    else None
                ),
            }
        )
    return items


@require_GET
def motion_detail(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = access_motion(request.user, motion_id)
    return render(request, "voting/motion.html", _motion_context(request, motion))


@login_required
@require_POST
def ballot_cast(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = access_motion(request.user, motion_id)
    form = BallotForm(request.POST, motion=motion)
    if form.is_valid():
        try:
            _ballot, created = services.ballot_cast(
                actor=request.user, motion_id=motion.pk, **form.service_kwargs()
            )
        except DomainError as exc:
            if exc.code != "invalid":  # not eligible, closed, gone: say so on the fresh page
                messages.error(request, exc.message)
                return redirect("voting:motion", motion_id=motion.pk)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Ihre Stimme ist abgegeben.") if created else _("Ihre Stimme ist geändert."),
            )
            return redirect("voting:motion", motion_id=motion.pk)
    motion = access_motion(request.user, motion_id)
    context = _motion_context(request, motion, ballot_form=form)
    return render(request, "voting/motion.html", context, status=400)


@login_required
@require_POST
def deputy_ballot_cast(request: HttpRequest, motion_id: int, member_id: int) -> HttpResponse:
    """The deputy's ballot form on the motion page: the ballot of absent ``member_id``."""
    motion = access_motion(request.user, motion_id)
    form = BallotForm(request.POST, motion=motion, prefix=f"for-{member_id}")
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Stimme und bestätigen Sie sie."))
        return redirect("voting:motion", motion_id=motion.pk)
    try:
        _ballot, created = services.ballot_cast(
            actor=request.user, motion_id=motion.pk, on_behalf_of=member_id, **form.service_kwargs()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Die Stimme des vertretenen Mitglieds ist abgegeben.")
            if created
            else _("Die Stimme des vertretenen Mitglieds ist geändert."),
        )
    return redirect("voting:motion", motion_id=motion.pk)


@login_required
@require_POST
def motion_close(request: HttpRequest, motion_id: int) -> HttpResponse:
    motion = access_motion(request.user, motion_id)
    form = MotionCloseForm(request.POST)
    if not form.is_valid():
        context = _motion_context(request, motion, close_form=form)
        return render(request, "voting/motion.html", context, status=400)
    try:
        result = services.motion_close(
            actor=request.user,
            motion_id=motion.pk,
            rejected_goal_status=form.cleaned_data["rejected_goal_status"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Die Abstimmung ist geschlossen: %(outcome)s.")
            % {"outcome": result.get_outcome_display()},
        )
    return redirect("voting:motion", motion_id=motion.pk)


@require_GET
def motion_record(request: HttpRequest, motion_id: int) -> HttpResponse:
    """The canonical record as a file: its SHA-256 is the digest on the result page."""
    motion = access_motion(request.user, motion_id)
    if motion.is_open:
        raise Http404(_("Das Protokoll gibt es erst nach dem Schluss der Abstimmung."))
    response = HttpResponse(
        tally.canonical_json(motion.result.record), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="abstimmung-{motion.pk}.json"'
    return response


@require_GET
def tally_source(request: HttpRequest) -> HttpResponse:
    """The counting program itself (standard-library Python), to recompute any record."""
    response = HttpResponse(TALLY_SOURCE.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tally.py"'
    return response


@require_GET
def circle_motions(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access_motions_circle(request.user, slug)
    services.motions_close_due(circle=circle)
    motions = list(selectors.circle_motions(circle))
    return render(
        request,
        "voting/circle_motions.html",
        {
            "circle": circle,
            "open_motions": [m for m in motions if m.is_open],
            "closed_motions": [m for m in motions if not m.is_open],
            "can_open": can(request.user, "voting.open_motion", circle),
            "can_take_roll_call": can(request.user, "attendance.manage_roll_call", circle),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def motion_open(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access_motions_circle(request.user, slug)
    if not can(request.user, "voting.open_motion", circle):
        raise Http404(_("Nur die Moderation des Kreises kann eine Abstimmung eröffnen."))
    goals = selectors.goals_ready_for_vote(circle)
    form = MotionOpenForm(request.POST or None, goals=goals, initial={"method": "consent"})
    if request.method == "POST" and form.is_valid():
        try:
            motions = services.motions_open(
                actor=request.user, circle=circle, **form.service_kwargs()
            )
        except DomainError as exc:
            field = {"goal_ids": "goals"}.get(exc.field or "", exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(n)s Abstimmung(en) eröffnet.") % {"n": len(motions)},
            )
            if len(motions) == 1:
                return redirect("voting:motion", motion_id=motions[0].pk)
            return redirect("voting:circle_motions", slug=circle.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "voting/motion_open.html",
        {"circle": circle, "form": form, "has_goals": goals.exists()},
        status=status,
    )


def _concept(slug: str | None) -> Concept:
    concept = (
        selectors.concept_by_slug(slug)
        if slug is not None
        else deliberation_selectors.current_concept()
    )
    if concept is None:
        raise Http404(_("Kein Konzept mit diesem Kurznamen."))
    return concept


def _document_context(request: HttpRequest, concept: Concept) -> dict[str, Any]:
    sections = selectors.concept_document(concept)
    visible_results = {
        entry.motion_id
        for section in sections
        for entry in section.entries
        if can(request.user, "voting.view_motion", entry.motion)
    }
    return {
        "concept": concept,
        "sections": sections,
        "visible_results": visible_results,
        "adopted_count": sum(len(s.entries) for s in sections),
        "nav": "concept",
    }


@require_GET
def concept_document(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    concept = _concept(slug)
    return render(request, "voting/concept_document.html", _document_context(request, concept))


@require_GET
def concept_print(request: HttpRequest, slug: str) -> HttpResponse:
    concept = _concept(slug)
    context = _document_context(request, concept)
    # Printed links must stand on their own: absolute, and shown after the link text.
    context["base_url"] = request.build_absolute_uri("/").rstrip("/")
    context["now_date"] = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    return render(request, "voting/concept_print.html", context)


@require_GET
def concept_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    concept = _concept(slug)
    text = export.concept_markdown(concept, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{concept.slug}.md"'
    return response
