"""Pages of a draft: one version with its line numbers and plain-language twin, its Markdown
export and the concept's, and the drafters' form for the twin. Doors only: reads through
the selectors and exports, the write through ``deliberation.plain.plain_text_set``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation import drafting_export, plain, selectors
from deliberation.models import GoalVersion
from kernel.errors import DomainError, Forbidden, NotFound


def _version(goal_id: int, number: int) -> GoalVersion:
    version = selectors.goal_version(goal_id=goal_id, number=number)
    if version is None:
        raise Http404(_("Diese Fassung gibt es nicht."))
    return version


def version(request: HttpRequest, goal_id: int, number: int) -> HttpResponse:
    """``/ziele/<id>/fassungen/<n>/``: the binding text of version n, numbered, where
    "Zeile 12" of a comment written on it links to (``#zeile-12``)."""
    found = _version(goal_id, number)
    goal = selectors.goal_detail(goal_id)
    return render(
        request,
        "frontend/version.html",
        {
            "goal": goal,
            "field": goal.action_field if goal else None,
            "version": found,
            "nav": "concept",
        },
    )


def _markdown(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def version_markdown(request: HttpRequest, goal_id: int, number: int) -> HttpResponse:
    found = _version(goal_id, number)
    return _markdown(drafting_export.version_markdown(found), f"ziel-{goal_id}-fassung-{number}.md")


def concept_markdown(request: HttpRequest) -> HttpResponse:
    concept = selectors.current_concept()
    if concept is None:
        raise Http404(_("Es gibt noch kein Konzept."))
    return _markdown(drafting_export.concept_markdown(concept), "konzept.md")


@require_POST
def plain_text(request: HttpRequest, goal_id: int) -> HttpResponse:
    """The drafters' form on the goal page: write the twin of the current version."""
    text = request.POST.get("text", "")
    try:
        twin = plain.plain_text_set(actor=request.user, goal_id=goal_id, text=text)
    except NotFound as error:
        raise Http404(error.message) from error
    except Forbidden as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Die Leichte Sprache ist gespeichert.")
            if twin
            else _("Die Leichte Sprache ist entfernt."),
        )
    return HttpResponseRedirect(reverse("frontend:goal", args=[goal_id]) + "#text-title")
