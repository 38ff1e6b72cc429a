"""Pages: questionnaire builder, status, invitations, results and CSV exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation.models import ActionField, Circle, Concept
from kernel.errors import DomainError
from kernel.permissions import can
from participation import selectors, services
from participation.access import access_managed_questionnaire, access_results
from participation.forms import (
    GoalLinkForm,
    InvitationsForm,
    OpenForm,
    QuestionForm,
    QuestionnaireEditForm,
    QuestionnaireForm,
    ResultsFilterForm,
    local_input,
)
from participation.models import (
    Question,
    Questionnaire,
)
from participation.views._common import _concept, _download, _form_error
from participation.views.contributions import _goals_of
from participation.web import base_url


def _manageable_fields(request: HttpRequest, concept: Concept) -> QuerySet[ActionField]:
    fields = concept.action_fields.order_by("order", "pk")
    return fields.filter(
        pk__in=[f.pk for f in fields if can(request.user, "participation.manage_questionnaire", f)]
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaires(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    may_create = can(request.user, "participation.manage_questionnaire", concept)
    fields = _manageable_fields(request, concept)
    form = QuestionnaireForm(request.POST or None, fields=fields) if may_create else None
    if request.method == "POST":
        if form is None:
            raise Http404(_("Nur die Verwaltung und die Moderation legen Fragebögen an."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.questionnaire_create(
                    actor=request.user,
                    concept=concept,
                    action_field=data["action_field"],
                    title=data["title"],
                    intro=data["intro"],
                    distribution=data["distribution"],
                    deadline=data["deadline"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Der Fragebogen ist angelegt. Fügen Sie Fragen hinzu."))
                return redirect("participation:builder", questionnaire_id=created.pk)
    return render(
        request,
        "participation/questionnaires.html",
        {
            "questionnaires": [
                (q, can(request.user, "participation.manage_questionnaire", q))
                for q in selectors.manageable_questionnaires(request.user)
            ],
            "form": form,
            "nav": "participation",
        },
        status=400 if request.method == "POST" else 200,
    )


def _builder_context(
    request: HttpRequest, questionnaire: Questionnaire, **extra: Any
) -> dict[str, Any]:
    return {
        "questionnaire": questionnaire,
        "questions": selectors.questionnaire_questions(questionnaire),
        "edit_form": extra.pop("edit_form", None)
        or QuestionnaireEditForm(
            initial={
                "title": questionnaire.title,
                "intro": questionnaire.intro,
                "deadline": local_input(questionnaire.deadline),
            }
        ),
        "open_form": extra.pop("open_form", None)
        or OpenForm(initial={"deadline": local_input(questionnaire.deadline)}),
        "accepting": selectors.is_accepting(questionnaire),
        "translation_languages": services.translation_languages(),
        "public_url": request.build_absolute_uri(
            reverse("participation:respond", args=[questionnaire.pk])
        ),
        "nav": "participation",
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    form = QuestionnaireEditForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.questionnaire_update(
                    actor=request.user,
                    questionnaire_id=questionnaire.pk,
                    title=data["title"],
                    intro=data["intro"],
                    deadline=data["deadline"],
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Gespeichert."))
                return redirect("participation:builder", questionnaire_id=questionnaire.pk)
        return render(
            request,
            "participation/builder.html",
            _builder_context(request, questionnaire, edit_form=form),
            status=400,
        )
    return render(request, "participation/builder.html", _builder_context(request, questionnaire))


def _question_form_page(
    request: HttpRequest, questionnaire: Questionnaire, question: Question | None
) -> HttpResponse:
    goals = _goals_of(questionnaire.concept_id, questionnaire.action_field_id)
    initial = (
        QuestionForm.initial_for(question) if question else {"required": True, "kind": "single"}
    )
    form = QuestionForm(request.POST or None, goals=goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if question is None:
                services.question_add(
                    actor=request.user, questionnaire_id=questionnaire.pk, **form.service_kwargs()
                )
            else:
                services.question_update(
                    actor=request.user, question_id=question.pk, **form.service_kwargs()
                )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Die Frage ist gespeichert."))
            return redirect("participation:builder", questionnaire_id=questionnaire.pk)
    return render(
        request,
        "participation/question_form.html",
        {
            "questionnaire": questionnaire,
            "question": question,
            "form": form,
            "nav": "participation",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    return _question_form_page(
        request, access_managed_questionnaire(request.user, questionnaire_id), None
    )


def _question_of(questionnaire: Questionnaire, question_id: int) -> Question:
    question = questionnaire.questions.prefetch_related("choices").filter(pk=question_id).first()
    if question is None:
        raise Http404(_("Diese Frage gibt es nicht."))
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    return _question_form_page(request, questionnaire, _question_of(questionnaire, question_id))


@login_required
@require_POST
def question_change(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    """Move a question up or down, or delete it (buttons of the builder)."""
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    question = _question_of(questionnaire, question_id)
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            services.question_move(actor=request.user, question_id=question.pk, direction=action)
        elif action == "delete":
            services.question_delete(actor=request.user, question_id=question.pk)
            messages.success(request, _("Die Frage ist gelöscht."))
        else:
            messages.error(request, _("Unbekannte Aktion."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("participation:builder", args=[questionnaire.pk]) + "#fragen")


@login_required
@require_POST
def questionnaire_status(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    action = request.POST.get("action")
    try:
        if action == "open":
            form = OpenForm(request.POST)
            if not form.is_valid():
                return render(
                    request,
                    "participation/builder.html",
                    _builder_context(request, questionnaire, open_form=form),
                    status=400,
                )
            services.questionnaire_open(
                actor=request.user,
                questionnaire_id=questionnaire.pk,
                deadline=form.cleaned_data["deadline"],
            )
            messages.success(request, _("Der Fragebogen ist geöffnet."))
        elif action == "close":
            services.questionnaire_close(actor=request.user, questionnaire_id=questionnaire.pk)
            messages.success(request, _("Der Fragebogen ist geschlossen."))
        else:
            messages.error(request, _("Unbekannte Aktion."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation:builder", questionnaire_id=questionnaire.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    form = InvitationsForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                batch = services.invitations_create(
                    actor=request.user,
                    questionnaire_id=questionnaire.pk,
                    emails=form.addresses(),
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(new)s neue Einladung(en); %(old)s Adresse(n) waren schon eingeladen.")
                    % {"new": len(batch.created), "old": len(batch.existing)},
                )
                return redirect("participation:invitations", questionnaire_id=questionnaire.pk)
    site = base_url(request)
    invitations = selectors.questionnaire_invitations(questionnaire)
    return render(
        request,
        "participation/invitations.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "invitations": [
                (i, selectors.invitation_url(i, site), selectors.invitation_status(i))
                for i in invitations
            ],
            "nav": "participation",
        },
        status=status,
    )


@login_required
@require_GET
def invitations_csv(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access_managed_questionnaire(request.user, questionnaire_id)
    return _download(
        selectors.invitations_csv(
            selectors.questionnaire_invitations(questionnaire), base_url(request)
        ),
        content_type="text/csv; charset=utf-8",
        filename=f"einladungen-fragebogen-{questionnaire.pk}.csv",
    )


@login_required
@require_GET
def results(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access_results(request.user, questionnaire_id)
    goals = _goals_of(questionnaire.concept_id, questionnaire.action_field_id)
    filters = ResultsFilterForm(request.GET or None, goals=goals)
    options: dict[str, Any] = {}
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        options = {
            "search": data["q"],
            "goal_id": data["goal"].pk if data["goal"] else None,
            "state": data["state"] or "all",
        }
    may_link = can(request.user, "participation.link_answer", questionnaire)
    circles = Circle.objects.filter(action_field__concept_id=questionnaire.concept_id)
    if questionnaire.action_field_id is not None:
        circles = circles.filter(action_field_id=questionnaire.action_field_id)
    results = selectors.questionnaire_results(questionnaire, **options)
    return render(
        request,
        "participation/results.html",
        {
            "questionnaire": questionnaire,
            "results": results,
            "has_texts": any(r.question.kind == Question.Kind.TEXT for r in results.questions),
            "filters": filters,
            "filtered": bool(options),
            "may_link": may_link,
            "link_goals": goals if may_link else None,
            "may_manage": can(request.user, "participation.manage_questionnaire", questionnaire),
            "circles": [
                c for c in circles.order_by("pk") if can(request.user, "deliberation.view_room", c)
            ],
            "nav": "participation",
        },
        status=400 if filters.is_bound and not filters.is_valid() else 200,
    )


@login_required
@require_GET
def responses_csv(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = access_results(request.user, questionnaire_id)
    return _download(
        selectors.responses_csv(questionnaire),
        content_type="text/csv; charset=utf-8",
        filename=f"antworten-fragebogen-{questionnaire.pk}.csv",
    )


@login_required
@require_POST
def answer_goal(request: HttpRequest, questionnaire_id: int, answer_id: int) -> HttpResponse:
    questionnaire = access_results(request.user, questionnaire_id)
    form = GoalLinkForm(
        request.POST, goals=_goals_of(questionnaire.concept_id, questionnaire.action_field_id)
    )
    if not form.is_valid():
        messages.error(request, _("Dieses Ziel gehört nicht zu diesem Fragebogen."))
    else:
        goal = form.cleaned_data["goal"]
        try:
            services.answer_link_goal(
                actor=request.user, answer_id=answer_id, goal_id=goal.pk if goal else None
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Die Zuordnung ist gespeichert."))
    return redirect(
        reverse("participation:results", args=[questionnaire.pk]) + f"#antwort-{answer_id}"
    )
