"""Pages: the participation start page, citizens' sign-up and confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import DomainError
from kernel.permissions import can
from participation import selectors, services
from participation.forms import (
    SignUpForm,
)
from participation.localization import localize_questionnaire
from participation.views._common import _concept, _deadline_state, _form_error
from participation.web import base_url, client_address


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    user = request.user
    questionnaires = selectors.open_public_questionnaires(concept)
    for questionnaire in questionnaires:
        localize_questionnaire(questionnaire, [], get_language())
    return render(
        request,
        "participation/index.html",
        {
            "concept": concept,
            "questionnaires": questionnaires,
            "fields": list(concept.action_fields.order_by("order", "pk")),
            "ideas": selectors.public_contributions(concept, kinds=["idea"])[:5],
            "may_manage": can(user, "participation.manage_questionnaire", concept)
            or selectors.manageable_questionnaires(user).exists(),
            "may_moderate": can(user, "participation.moderate_contribution", concept),
            "nav": "participation",
            **_deadline_state(concept),
        },
    )


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("participation:index")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.citizen_sign_up(
                email=data["email"],
                name=data["name"],
                password=data["password"],
                website=data["website"],
                base_url=base_url(request),
                client_key=client_address(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("participation:sign_up_sent")
    return render(
        request,
        "participation/sign_up.html",
        {"form": form, "nav": "participation"},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/sign_up_sent.html", {"nav": "participation"})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows a button; only the POST activates (mail scanners open links, people press
    buttons)."""
    error = None
    if request.method == "POST":
        try:
            user = services.citizen_confirm(uidb64=uidb64, token=token)
        except DomainError as exc:
            error = exc.message
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Ihr Konto ist bestätigt. Willkommen – Sie sind angemeldet.")
            )
            return redirect("participation:index")
    return render(
        request,
        "participation/confirm.html",
        {"error": error, "nav": "participation"},
        status=400 if error else 200,
    )
