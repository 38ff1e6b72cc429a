"""The participation pages: questionnaire builder, response pages (by account or invitation
link), evaluation with charts, public ideas, questions and opinions, the moderation queue,
citizens' sign-up, and the public's feedback in a room's evaluation.

Thin doors: forms shape input, ``deliberation.participation.services`` decides, selectors
read. Every page is server-rendered and works without JavaScript, on a phone too. A page
someone may not see is a 404, so hidden things do not reveal that they exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation import round_selectors
from deliberation import selectors as deliberation_selectors
from deliberation.errors import DomainError
from deliberation.models import ActionField, Circle, Concept, Goal
from deliberation.participation import selectors, services
from deliberation.participation.forms import (
    DispositionForm,
    GoalLinkForm,
    IdeaForm,
    InvitationsForm,
    ModerationForm,
    OpenForm,
    OpinionForm,
    QuestionForm,
    QuestionnaireEditForm,
    QuestionnaireForm,
    ReportForm,
    ResponseForm,
    ResultsFilterForm,
    SignUpForm,
    local_input,
)
from deliberation.participation.models import (
    Contribution,
    Invitation,
    Question,
    Questionnaire,
    Response,
)
from deliberation.participation.web import base_url, client_address


def _concept() -> Concept:
    concept = deliberation_selectors.current_concept()
    if concept is None:
        raise Http404(_("Noch kein Konzept."))
    return concept


def _form_error(form: Any, exc: DomainError) -> None:
    """Show a service's refusal at the field it names, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _deadline_state(concept: Concept) -> dict[str, Any]:
    deadline = concept.ideas_deadline
    return {
        "ideas_deadline": deadline,
        "ideas_closed": deadline is not None and timezone.now() >= deadline,
        "contact_email": services.contact_email(concept),
    }


# --- overview and accounts -------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    user = request.user
    return render(
        request,
        "participation/index.html",
        {
            "concept": concept,
            "questionnaires": selectors.open_public_questionnaires(concept),
            "fields": list(concept.action_fields.order_by("order", "pk")),
            "ideas": selectors.public_contributions(concept, kinds=["idea"])[:5],
            "may_manage": user.has_perm("participation.manage_questionnaire", concept)
            or selectors.manageable_questionnaires(user).exists(),
            "may_moderate": user.has_perm("participation.moderate_contribution", concept),
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


# --- contributions ---------------------------------------------------------------------------


@require_GET
def ideas(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    fields = list(concept.action_fields.order_by("order", "pk"))
    chosen = next((f for f in fields if f.slug == request.GET.get("feld")), None)
    return render(
        request,
        "participation/ideas.html",
        {
            "concept": concept,
            "fields": fields,
            "chosen": chosen,
            "ideas": selectors.public_contributions(concept, kinds=["idea"], action_field=chosen),
            "nav": "participation",
            **_deadline_state(concept),
        },
    )


@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    state = _deadline_state(concept)
    fields = concept.action_fields.order_by("order", "pk")
    initial = {}
    chosen = fields.filter(slug=request.GET.get("feld", "")).first()
    if chosen is not None:
        initial["action_field"] = chosen.pk
    form = IdeaForm(request.POST or None, fields=fields, initial=initial)
    status = 200
    if request.method == "POST" and state["ideas_closed"]:
        status = 409  # the page says so, with the contact address
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                contribution = services.contribution_submit(
                    actor=request.user,
                    concept=concept,
                    kind=Contribution.Kind.IDEA,
                    action_field=data["action_field"],
                    title=data["title"],
                    body=data["body"],
                    website=data["website"],
                )
            except DomainError as exc:
                if exc.code == "conflict":  # the deadline passed while the form was open
                    state["ideas_closed"] = True
                    status = 409
                else:
                    _form_error(form, exc)
                    status = 429 if exc.code == "rate_limited" else 400
            else:
                messages.success(
                    request,
                    _(
                        "Danke! Ihre Idee „%(title)s“ ist eingegangen. Sie erscheint, sobald die "
                        "Moderation sie freigegeben hat; was daraus wird, sehen Sie unter "
                        "„Meine Beiträge“."
                    )
                    % {"title": contribution.title},
                )
                return redirect("participation:mine")
    return render(
        request,
        "participation/idea_form.html",
        {"concept": concept, "form": form, "nav": "participation", **state},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def opinions(request: HttpRequest) -> HttpResponse:
    """Questions and opinions on the concept: the approved ones and the form."""
    concept = _concept()
    form = OpinionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.contribution_submit(
                    actor=request.user,
                    concept=concept,
                    kind=data["kind"],
                    body=data["body"],
                    website=data["website"],
                )
            except DomainError as exc:
                _form_error(form, exc)
                status = 429 if exc.code == "rate_limited" else 400
            else:
                messages.success(
                    request,
                    _(
                        "Danke! Ihr Beitrag ist eingegangen und erscheint nach der Freigabe "
                        "durch die Moderation."
                    ),
                )
                return redirect("participation:mine")
    return render(
        request,
        "participation/opinions.html",
        {
            "concept": concept,
            "form": form,
            "contributions": selectors.public_contributions(
                concept, kinds=[Contribution.Kind.QUESTION, Contribution.Kind.OPINION]
            ),
            "contact_email": services.contact_email(concept),
            "nav": "participation",
        },
        status=status,
    )


def _visible_contribution(request: HttpRequest, contribution_id: int) -> Contribution:
    contribution = selectors.contribution_by_id(contribution_id)
    if contribution is None or not request.user.has_perm(
        "participation.view_contribution", contribution
    ):
        raise Http404(_("Diesen Beitrag gibt es nicht."))
    return contribution


@require_GET
def contribution(request: HttpRequest, contribution_id: int) -> HttpResponse:
    item = _visible_contribution(request, contribution_id)
    return render(
        request,
        "participation/contribution.html",
        {
            "contribution": item,
            "trace": selectors.contribution_item(item),
            "report_form": ReportForm(),
            "may_report": request.user.has_perm("participation.report_contribution", item),
            "nav": "participation",
        },
    )


@require_POST
def contribution_report(request: HttpRequest, contribution_id: int) -> HttpResponse:
    item = _visible_contribution(request, contribution_id)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.contribution_report(
                actor=request.user,
                contribution_id=item.pk,
                reason=form.cleaned_data["reason"],
                client_key=client_address(request),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Danke für den Hinweis. Die Moderation sieht sich den Beitrag an.")
            )
    else:
        messages.error(request, _("Der Grund ist zu lang."))
    return redirect("participation:contribution", contribution_id=item.pk)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    contributions = list(selectors.own_contributions(request.user))
    return render(
        request,
        "participation/mine.html",
        {
            "entries": [(c, selectors.contribution_item(c)) for c in contributions],
            "nav": "participation",
        },
    )


def _goals_of(concept_id: int, field_id: int | None) -> QuerySet[Goal]:
    goals = Goal.objects.filter(action_field__concept_id=concept_id).select_related("action_field")
    if field_id is not None:
        goals = goals.filter(action_field_id=field_id)
    return goals.order_by("action_field__order", "order", "pk")


@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    queue = selectors.moderation_queue(request.user)
    concept = deliberation_selectors.current_concept()
    if not (
        request.user.is_staff
        or (concept and request.user.has_perm("participation.moderate_contribution", concept))
    ):
        raise Http404(_("Diese Seite gibt es nur für die Moderation."))

    def forms_for(items: list[Contribution]) -> list[tuple[Contribution, GoalLinkForm]]:
        return [
            (
                item,
                GoalLinkForm(
                    goals=_goals_of(item.concept_id, item.action_field_id),
                    initial={"goal": item.goal_id},
                    prefix=f"c{item.pk}",
                ),
            )
            for item in items
        ]

    return render(
        request,
        "participation/moderation.html",
        {
            "queue": queue,
            "pending": forms_for(queue.pending),
            "reported": [
                (item, form, selectors.open_reports(item))
                for item, form in forms_for(queue.reported)
            ],
            "nav": "participation",
        },
    )


@login_required
@require_POST
def moderate(request: HttpRequest, contribution_id: int) -> HttpResponse:
    item = selectors.contribution_by_id(contribution_id)
    if item is None or not request.user.has_perm("participation.moderate_contribution", item):
        raise Http404(_("Diesen Beitrag gibt es nicht."))
    if "goal_link" in request.POST:
        link = GoalLinkForm(
            request.POST,
            goals=_goals_of(item.concept_id, item.action_field_id),
            prefix=f"c{item.pk}",
        )
        if not link.is_valid():
            messages.error(request, _("Dieses Ziel passt nicht zu diesem Beitrag."))
            return redirect("participation:moderation")
        goal = link.cleaned_data["goal"]
        try:
            services.contribution_link_goal(
                actor=request.user, contribution_id=item.pk, goal_id=goal.pk if goal else None
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Die Zuordnung ist gespeichert."))
        return redirect("participation:moderation")
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie eine Entscheidung."))
        return redirect("participation:moderation")
    decision = form.cleaned_data["decision"]
    try:
        if decision == "dismiss":
            services.contribution_reports_dismiss(actor=request.user, contribution_id=item.pk)
            messages.success(request, _("Die Meldungen sind zurückgewiesen."))
        else:
            services.contribution_moderate(
                actor=request.user,
                contribution_id=item.pk,
                decision=decision,
                reason=form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("Der Beitrag ist freigegeben.")
                if decision == "approve"
                else _("Der Beitrag ist nicht freigegeben."),
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation:moderation")


# --- questionnaires: building ----------------------------------------------------------------


def _managed(request: HttpRequest, questionnaire_id: int) -> Questionnaire:
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    if questionnaire is None or not request.user.has_perm(
        "participation.manage_questionnaire", questionnaire
    ):
        raise Http404(_("Diesen Fragebogen gibt es nicht."))
    return questionnaire


def _manageable_fields(request: HttpRequest, concept: Concept) -> QuerySet[ActionField]:
    fields = concept.action_fields.order_by("order", "pk")
    return fields.filter(
        pk__in=[
            f.pk for f in fields if request.user.has_perm("participation.manage_questionnaire", f)
        ]
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaires(request: HttpRequest) -> HttpResponse:
    concept = _concept()
    may_create = request.user.has_perm("participation.manage_questionnaire", concept)
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
                (q, request.user.has_perm("participation.manage_questionnaire", q))
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
        "public_url": request.build_absolute_uri(
            reverse("participation:respond", args=[questionnaire.pk])
        ),
        "nav": "participation",
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def builder(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _managed(request, questionnaire_id)
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
    return _question_form_page(request, _managed(request, questionnaire_id), None)


def _question_of(questionnaire: Questionnaire, question_id: int) -> Question:
    question = questionnaire.questions.prefetch_related("choices").filter(pk=question_id).first()
    if question is None:
        raise Http404(_("Diese Frage gibt es nicht."))
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    questionnaire = _managed(request, questionnaire_id)
    return _question_form_page(request, questionnaire, _question_of(questionnaire, question_id))


@login_required
@require_POST
def question_change(request: HttpRequest, questionnaire_id: int, question_id: int) -> HttpResponse:
    """Move a question up or down, or delete it (buttons of the builder)."""
    questionnaire = _managed(request, questionnaire_id)
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
    questionnaire = _managed(request, questionnaire_id)
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
    questionnaire = _managed(request, questionnaire_id)
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


def _download(content: str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def invitations_csv(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _managed(request, questionnaire_id)
    return _download(
        selectors.invitations_csv(
            selectors.questionnaire_invitations(questionnaire), base_url(request)
        ),
        content_type="text/csv; charset=utf-8",
        filename=f"einladungen-fragebogen-{questionnaire.pk}.csv",
    )


# --- questionnaires: evaluation --------------------------------------------------------------


def _readable(request: HttpRequest, questionnaire_id: int) -> Questionnaire:
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    if questionnaire is None or not request.user.has_perm(
        "participation.view_results", questionnaire
    ):
        raise Http404(_("Diesen Fragebogen gibt es nicht."))
    return questionnaire


@login_required
@require_GET
def results(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _readable(request, questionnaire_id)
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
    may_link = request.user.has_perm("participation.link_answer", questionnaire)
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
            "may_manage": request.user.has_perm(
                "participation.manage_questionnaire", questionnaire
            ),
            "circles": [
                c
                for c in circles.order_by("pk")
                if request.user.has_perm("deliberation.view_room", c)
            ],
            "nav": "participation",
        },
        status=400 if filters.is_bound and not filters.is_valid() else 200,
    )


@login_required
@require_GET
def responses_csv(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    questionnaire = _readable(request, questionnaire_id)
    return _download(
        selectors.responses_csv(questionnaire),
        content_type="text/csv; charset=utf-8",
        filename=f"antworten-fragebogen-{questionnaire.pk}.csv",
    )


@login_required
@require_POST
def answer_goal(request: HttpRequest, questionnaire_id: int, answer_id: int) -> HttpResponse:
    questionnaire = _readable(request, questionnaire_id)
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


# --- questionnaires: answering ---------------------------------------------------------------


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
        return render(
            request,
            "participation/respond_sign_in.html",
            {"questionnaire": questionnaire, "nav": "participation"},
        )
    user = request.user

    def save(answers: dict[int, Any], submit: bool) -> Response:
        return services.response_save(
            actor=user, questionnaire_id=questionnaire.pk, answers=answers, submit=submit
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
        return services.response_save(actor=None, token=token, answers=answers, submit=submit)

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


# --- the public's feedback in a room's evaluation --------------------------------------------


@require_http_methods(["GET", "POST"])
def circle_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """The public's feedback on the goals of the room's active round, and (in evaluation, for
    moderators and the field's drafters) the forms to give each its disposition."""
    circle = deliberation_selectors.circle_by_slug(slug)
    if circle is None or not request.user.has_perm("deliberation.view_room", circle):
        raise Http404(_("Diesen Raum gibt es nicht."))
    round_ = round_selectors.active_round(circle)
    may_decide = request.user.has_perm("deliberation.set_disposition", circle)
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
