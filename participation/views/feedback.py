"""Page: the public feedback on a circle's goals, evaluated by moderators and drafters."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from deliberation import selectors as deliberation_selectors
from deliberation.rounds import selectors as round_selectors
from kernel.errors import DomainError
from kernel.permissions import can
from participation import selectors, services
from participation.forms import (
    DispositionForm,
)
from participation.views._common import _form_error


@require_http_methods(["GET", "POST"])
def circle_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The public's feedback on the goals of the room's active round, and (in evaluation, for
    moderators and the field's drafters) the forms to give each its disposition."""
    circle = deliberation_selectors.circle_by_slug(slug)
    if circle is None or not can(request.user, "deliberation.view_room", circle):
        raise Http404(_("Diesen Raum gibt es nicht."))
    round_ = round_selectors.active_round(circle)
    may_decide = can(request.user, "deliberation.set_disposition", circle)
    errors: dict[str, DispositionForm] = {}
    if request.method == "POST":
        if not may_decide:
            raise Http404(_("Rückmeldungen bewerten die Arbeitsgruppe und die Moderation."))
        kind, _sep, pk = request.POST.get("feedback", "").partition("-")
        form = DispositionForm(request.POST, prefix=request.POST.get("feedback", ""))
        if kind in ("contribution", "answer") and pk.isdigit() and form.is_valid():
            data = form.cleaned_data
            try:
                services.feedback_disposition_set(
                    actor=request.user,
                    circle=circle,
                    value=data["value"],
                    response=data["response"],
                    addressed_in=data["addressed_in"],
                    **{f"{kind}_id": int(pk)},
                )
            except DomainError as exc:
                _form_error(form, exc)
                errors[f"{kind}-{pk}"] = form
            else:
                messages.success(request, _("Die Entscheidung ist gespeichert."))
                return redirect(
                    reverse("participation:circle_feedback", args=[circle.slug])
                    + f"#rueckmeldung-{kind}-{pk}"
                )
        else:
            errors[request.POST.get("feedback", "")] = form
    items = selectors.active_round_public_feedback(round_).all if round_ else []
    entries = []
    for item in items:
        key = f"{item.kind}-{item.pk}"
        form = errors.get(key) or DispositionForm(
            prefix=key,
            initial=(
                {
                    "value": item.disposition.value,
                    "response": item.disposition.response,
                    "addressed_in": item.disposition.addressed_in.number
                    if item.disposition.addressed_in
                    else None,
                }
                if item.disposition
                else None
            ),
        )
        entries.append((item, form if may_decide else None))
    return render(
        request,
        "participation/circle_feedback.html",
        {
            "circle": circle,
            "round": round_,
            "entries": entries,
            "may_decide": may_decide,
            "nav": "rooms",
        },
        status=400 if errors else 200,
    )
