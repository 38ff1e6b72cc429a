"""Server-rendered public pages. Doors only: every read goes through ``deliberation.selectors``."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from deliberation import selectors


def concept(request: HttpRequest) -> HttpResponse:
    concept = selectors.current_concept()
    fields = selectors.concept_fields_with_goals(concept) if concept else []
    return render(
        request,
        "frontend/concept.html",
        {
            "concept": concept,
            "fields": fields,
            "contact_email": (concept.contact_email if concept else "") or settings.CONTACT_EMAIL,
            "nav": "concept",
        },
    )


def action_field(request: HttpRequest, slug: str) -> HttpResponse:
    field = selectors.action_field_by_slug(slug)
    if field is None:
        raise Http404(_("Dieses Handlungsfeld gibt es nicht."))
    return render(
        request,
        "frontend/action_field.html",
        {
            "field": field,
            "goals": list(selectors.action_field_goals(field)),
            "circles": selectors.action_field_circles(request.user, field),
            "nav": "concept",
        },
    )


def goal(request: HttpRequest, goal_id: int) -> HttpResponse:
    goal = selectors.goal_detail(goal_id)
    if goal is None:
        raise Http404(_("Dieses Ziel gibt es nicht."))
    return render(
        request,
        "frontend/goal.html",
        {
            "goal": goal,
            "field": goal.action_field,
            "current": goal.current_version,
            "versions": list(goal.versions.all()),
            "status_changes": list(goal.status_changes.all()),
            "circles": selectors.action_field_circles(request.user, goal.action_field),
            "nav": "concept",
        },
    )


def rooms(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frontend/rooms.html",
        {"circles": selectors.visible_circles(request.user), "nav": "rooms"},
    )
