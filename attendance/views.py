"""The attendance page under a room (``/raeume/<slug>/anwesenheit/``). Thin doors: forms
shape input, ``attendance.services`` decide, selectors read. Everything works without
JavaScript. (The deputy's ballot on the motion page is the vote's: ``voting.views``.)
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attendance import selectors, services
from attendance.forms import DeputyForm
from deliberation import selectors as deliberation_selectors
from deliberation.models import Circle, Membership
from kernel.errors import DomainError
from kernel.permissions import can


def _visible_circle(request: HttpRequest, slug: str) -> Circle:
    circle = deliberation_selectors.circle_by_slug(slug)
    if circle is None or not can(request.user, "attendance.view_roll_call", circle):
        raise Http404(_("Kein sichtbarer Kreis mit diesem Kurznamen."))
    return circle


def _moderated_circle(request: HttpRequest, slug: str) -> Circle:
    circle = _visible_circle(request, slug)
    if not can(request.user, "attendance.manage_roll_call", circle):
        raise Http404(_("Nur die Moderation des Kreises stellt die Anwesenheit fest."))
    return circle


def _experts(circle: Circle) -> list[tuple[int, str]]:
    rows = (
        Membership.objects.filter(circle=circle, role=Membership.Role.EXPERT)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    return [(m.user_id, m.user.get_full_name() or m.user.get_username()) for m in rows]


def _page(
    request: HttpRequest,
    circle: Circle,
    *,
    deputy_form: DeputyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roll_call = selectors.latest_roll_call(circle)
    moderator = can(request.user, "attendance.manage_roll_call", circle)
    context: dict[str, Any] = {
        "circle": circle,
        "roll_call": roll_call,
        "entries": selectors.roll_call_entries(roll_call) if roll_call is not None else [],
        "is_moderator": moderator,
        "show_deputies": can(request.user, "attendance.view_deputies", circle),
        "deputies": list(selectors.active_deputies(circle)),
        "nav": "rooms",
    }
    if roll_call is not None:
        context["present_count"] = sum(1 for e in context["entries"] if e.present)
    if moderator:
        context["deputy_form"] = deputy_form or DeputyForm(members=_experts(circle))
        context["history"] = list(selectors.deputy_history(circle)[:50])
    return render(request, "attendance/attendance.html", context, status=status)


@require_GET
def attendance(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _visible_circle(request, slug))


def _act(request: HttpRequest, circle: Circle, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("attendance:attendance", slug=circle.slug)


@login_required
@require_POST
def roll_call_open(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _moderated_circle(request, slug)
    return _act(
        request,
        circle,
        lambda: services.roll_call_open(actor=request.user, circle=circle),
        _("Die Anwesenheitsliste ist eröffnet, vorausgefüllt mit den Mitgliedern im Raum."),
    )


def _present_ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("present") if value.isdigit()]


@login_required
@require_POST
def roll_call_save(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _moderated_circle(request, slug)
    present = _present_ids(request)
    close = "close" in request.POST

    def save() -> None:
        services.roll_call_mark_many(actor=request.user, circle=circle, present_ids=present)
        if close:
            services.roll_call_close(actor=request.user, circle=circle)

    done = (
        _("Die Anwesenheit ist festgestellt.") if close else _("Die Anwesenheit ist gespeichert.")
    )
    return _act(request, circle, save, done)


@login_required
@require_POST
def deputy_register(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _moderated_circle(request, slug)
    form = DeputyForm(request.POST, members=_experts(circle))
    if not form.is_valid():
        return _page(request, circle, deputy_form=form, status=400)
    try:
        services.deputy_register(
            actor=request.user,
            circle=circle,
            member_id=form.cleaned_data["member"],
            deputy_id=form.cleaned_data["deputy"],
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _page(request, circle, deputy_form=form, status=400)
    messages.success(request, _("Die Vertretung ist eingetragen."))
    return redirect("attendance:attendance", slug=circle.slug)


@login_required
@require_POST
def deputy_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    circle = _moderated_circle(request, slug)
    return _act(
        request,
        circle,
        lambda: services.deputy_remove(actor=request.user, circle=circle, member_id=member_id),
        _("Die Vertretung ist ausgetragen."),
    )
