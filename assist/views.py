"""The moderators' pages of the assistance: a round's summaries (draft, edit, approve), its
clusters of similar feedback (confirm, one disposition for all), and the cross-field check of
the goals. Doors only: each form calls one service; a refused input shows its reason and
changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from assist import clusters, summaries
from assist.feedback import KIND_LABELS, goal_items, round_items
from assist.providers import drafter
from deliberation.access import access_round
from deliberation.models import Disposition, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.selectors import concept_by_slug
from kernel.errors import DomainError, Forbidden, NotFound
from kernel.permissions import can


def _moderated_round(request: HttpRequest, slug: str, number: int) -> tuple[Any, Round]:
    circle, round_ = access_round(request.user, slug, number)
    if not can(request.user, "deliberation.manage_rounds", circle):
        raise Forbidden(_("Nur die Moderation des Raums sieht diese Seite."))
    return circle, round_


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # the service refuses it with its own message


def summary_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    circle, round_ = _moderated_round(request, slug, number)
    here = reverse("assist:summaries", args=[slug, number])
    edited: dict[int, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "draft":
                draft = summaries.summary_draft(
                    actor=request.user,
                    circle=circle,
                    round_=round_,
                    goal_id=_int(request.POST.get("goal")),
                )
                messages.success(request, _("Der Entwurf liegt vor. Bitte prüfen und freigeben."))
                for problem in draft.rejected:
                    messages.warning(
                        request,
                        _("Verworfen, weil ohne gültigen Nachweis: „%(s)s“")
                        % {"s": problem.sentence},
                    )
            elif action in ("save", "approve"):
                service = (
                    summaries.summary_update if action == "save" else summaries.summary_approve
                )
                service(
                    actor=request.user,
                    circle=circle,
                    round_=round_,
                    summary_id=_int(request.POST.get("summary")),
                    text=request.POST.get("text", ""),
                )
                messages.success(
                    request,
                    _("Gespeichert.") if action == "save" else _("Freigegeben und veröffentlicht."),
                )
            elif action == "withdraw":
                summaries.summary_withdraw(
                    actor=request.user,
                    circle=circle,
                    round_=round_,
                    summary_id=_int(request.POST.get("summary")),
                )
                messages.success(
                    request, _("Zurückgezogen; die Zusammenfassung ist nicht mehr öffentlich.")
                )
            else:
                messages.error(request, _("Unbekannte Aktion."))
            return HttpResponseRedirect(here)
        except DomainError as error:
            if isinstance(error, NotFound | Forbidden) and error.field is None:
                raise
            messages.error(request, error.message)
            summary_id = _int(request.POST.get("summary"))
            if isinstance(summary_id, int):
                edited[summary_id] = request.POST.get("text", "")
    items = round_items(round_)
    existing = {summary.goal_id: summary for summary in summaries.round_summaries(round_)}
    sections = []
    for item in round_selectors.round_agenda(round_):
        summary = existing.get(item.goal_id)
        sections.append(
            {
                "item": item,
                "feedback": list(goal_items(items, item.goal_id).items()),
                "summary": summary,
                "text": edited.get(summary.pk, summary.text) if summary else "",
            }
        )
    return render(
        request,
        "assist/summaries.html",
        {
            "circle": circle,
            "round": round_,
            "sections": sections,
            "assistant_on": drafter() is not None,
            "kind_labels": KIND_LABELS,
            "nav": "rooms",
        },
    )


def clusters_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    circle, round_ = _moderated_round(request, slug, number)
    here = reverse("assist:clusters", args=[slug, number])
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                clusters.cluster_confirm(
                    actor=request.user,
                    circle=circle,
                    round_=round_,
                    refs=request.POST.getlist("ref"),
                )
                messages.success(request, _("Die Gruppe ist bestätigt."))
            elif action == "dispose":
                given = clusters.cluster_disposition_set(
                    actor=request.user,
                    circle=circle,
                    round_=round_,
                    cluster_id=_int(request.POST.get("cluster")),
                    value=request.POST.get("value", ""),
                    response=request.POST.get("response", ""),
                )
                messages.success(
                    request,
                    _("Die Entscheidung gilt jetzt für %(n)s Rückmeldungen.") % {"n": len(given)},
                )
            elif action == "dissolve":
                clusters.cluster_dissolve(
                    actor=request.user,
                    circle=circle,
                    round_=round_,
                    cluster_id=_int(request.POST.get("cluster")),
                )
                messages.success(request, _("Die Gruppe ist aufgelöst."))
            else:
                messages.error(request, _("Unbekannte Aktion."))
        except DomainError as error:
            if isinstance(error, NotFound | Forbidden) and error.field is None:
                raise
            messages.error(request, error.message)
        return HttpResponseRedirect(here)
    return render(
        request,
        "assist/clusters.html",
        {
            "circle": circle,
            "round": round_,
            "suggestions": clusters.cluster_suggestions(round_),
            "clusters": clusters.round_clusters(round_),
            "values": Disposition.Value.choices,
            "kind_labels": KIND_LABELS,
            "nav": "rooms",
        },
    )


def goal_overlaps_page(request: HttpRequest, slug: str) -> HttpResponse:
    concept = concept_by_slug(slug)
    if concept is None:
        raise NotFound(_("Dieses Konzept gibt es nicht."))
    if not can(request.user, "assist.view_goal_overlaps", concept):
        raise Forbidden(_("Diese Seite ist für die Moderation und die Geschäftsstelle."))
    return render(
        request,
        "assist/overlaps.html",
        {"concept": concept, "pairs": clusters.goal_overlaps(concept), "nav": "concept"},
    )
