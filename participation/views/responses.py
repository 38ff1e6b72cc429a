"""Pages: answering a questionnaire (public or by invitation) and the receipt."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import DomainError
from participation import selectors, services
from participation.forms import (
    ResponseForm,
)
from participation.localization import localize_questionnaire
from participation.models import (
    Invitation,
    Questionnaire,
    Response,
)
from participation.views._common import _form_error


def _response_page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    response: Response | None,
    *,
    save: Any,
    receipt_url: str,
) -> HttpResponse:
    """The questions, a draft button and a submit button. ``save(answers, submit)`` calls the
    service for the account or the invitation."""
    if response is not None and response.state == Response.State.SUBMITTED:
        return redirect(receipt_url)
    questions = selectors.questionnaire_questions(questionnaire)
    # The respondent's language where the questionnaire has it, German elsewhere.
    localize_questionnaire(questionnaire, questions, get_language())
    problem = services.accepting_problem(questionnaire)
    submitting = request.POST.get("action") == "submit"
    form = ResponseForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        submitting=submitting,
        initial=ResponseForm.initial_from(selectors.response_values(response)),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if problem:
            status = 409
        elif form.is_valid():
            try:
                saved = save(form.answers(), submitting)
            except DomainError as exc:
                if exc.code == "conflict":
                    problem = exc.message
                    status = 409
                else:
                    _form_error(form, exc)
            else:
                if saved.state == Response.State.SUBMITTED:
                    return redirect(receipt_url)
                messages.success(
                    request,
                    _(
                        "Ihr Entwurf ist gespeichert. Sie können später über denselben Link "
                        "weitermachen; abgeschickt ist er erst mit „Abschicken“."
                    ),
                )
                return redirect(request.get_full_path())
    return render(
        request,
        "participation/respond.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "rows": [(q, form[f"q{q.pk}"]) for q in questions],
            "problem": problem,
            "draft": response,
            "nav": "participation",
        },
        status=status,
    )


def _answerable(questionnaire_id: int) -> Questionnaire:
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    if (
        questionnaire is None
        or questionnaire.status == Questionnaire.Status.DRAFT
        or questionnaire.distribution != Questionnaire.Distribution.PUBLIC
    ):
        raise Http404(_("Diesen Fragebogen gibt es nicht."))
    return questionnaire


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _answerable(questionnaire_id)
    if not request.user.is_authenticated:
        localize_questionnaire(questionnaire, [], get_language())
        return render(
            request,
            "participation/respond_sign_in.html",
            {"questionnaire": questionnaire, "nav": "participation"},
        )
    user = request.user

    def save(answers: dict[int, Any], submit: bool) -> Response:
        return services.response_save(
            actor=user,
            questionnaire_id=questionnaire.pk,
            answers=answers,
            submit=submit,
            language=get_language() or "",
        )

    return _response_page(
        request,
        questionnaire,
        selectors.account_response(questionnaire, user),
        save=save,
        receipt_url=reverse("participation:receipt", args=[questionnaire.pk]),
    )


@login_required
@require_GET
def receipt(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _answerable(questionnaire_id)
    response = selectors.account_response(questionnaire, request.user)
    if response is None or response.state != Response.State.SUBMITTED:
        return redirect("participation:respond", questionnaire_id=questionnaire.pk)
    localize_questionnaire(questionnaire, [], get_language())
    return render(
        request,
        "participation/receipt.html",
        {"questionnaire": questionnaire, "response": response, "nav": "participation"},
    )


def _invitation(token: str) -> Invitation:
    invitation = selectors.invitation_by_token(token)
    if invitation is None or invitation.questionnaire.status == Questionnaire.Status.DRAFT:
        raise Http404(_("Dieser Einladungslink ist ungültig."))
    return invitation


@require_http_methods(["GET", "POST"])
def invited(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)

    def save(answers: dict[int, Any], submit: bool) -> Response:
        return services.response_save(
            actor=None, token=token, answers=answers, submit=submit, language=get_language() or ""
        )

    # The token is in this page's address: the site's Referrer-Policy (same-origin) keeps it
    # from other sites. Not "no-referrer": browsers would then send "Origin: null" with the
    # form, which the CSRF check rightly refuses.
    return _response_page(
        request,
        invitation.questionnaire,
        selectors.invitation_response(invitation),
        save=save,
        receipt_url=reverse("participation:invited_receipt", args=[token]),
    )


@require_GET
def invited_receipt(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    response = selectors.invitation_response(invitation)
    if response is None or response.state != Response.State.SUBMITTED:
        return redirect("participation:invited", token=token)
    return render(
        request,
        "participation/receipt.html",
        {"questionnaire": invitation.questionnaire, "response": response, "nav": "participation"},
    )
